"""Promotion as a plan and an all-or-nothing change: refuse early, or write, render, check, commit, push, open the PR.

The command line is promote/__main__.py (`scripts/promote`); the workflow is in docs/promotion.md.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from ruamel.yaml import error as ruamel_errors

from gitops.core import layout
from gitops.core.git import Git, GitError
from gitops.core.kustomize import Rendered, RenderError, build
from gitops.core.layout import KUSTOMIZATION
from gitops.diff import report as diffreport
from gitops.diff.objects import RenderDiff, diff_renders
from gitops.promote import gate, prbody, roundtrip
from gitops.promote.images import ImageOverride, images_of, set_image
from mlpipeline import pin as pins
from mlpipeline import yamlerrors
from mlpipeline.atomicfile import write_atomic
from mlpipeline.pullrequests import PullRequest, PullRequests

# Extra checks on each promoted render, one message per problem (empty: fine).
# Rendering itself is always checked; the command line connects the validator here.
Check = Callable[[Rendered], list[str]]
ORDER_TEXT = " -> ".join(layout.ORDER)
T = TypeVar("T")


def no_checks(rendered: Rendered) -> list[str]:
    return []


class Refusal(Exception):
    """Promotion refused; the message names the file or input, what is wrong, and the fix. Exit 1, or 2 when
    only a person can fix it (the registry refusing promote's credentials)."""

    def __init__(self, message: str, exit_code: int = 1, findings: list[str] | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.findings = findings or []  # a failed validation's every finding, for --dry-run to print


@dataclass(frozen=True)
class Request:
    model: str
    source: str
    target: str
    force: bool = False
    reason: str = ""
    from_ref: str = ""  # read the source environment at this git ref instead of the working tree
    base: str = ""  # the PR's base branch; default: the branch checked out
    remote: str = "origin"


@dataclass(frozen=True)
class Promotion:
    branch: str
    commit: str
    base: str
    pull_request: PullRequest | None  # None without GitHub: the branch is pushed, a person merges it
    diffs: tuple[RenderDiff, ...]  # each changed folder's render, before -> after
    body: str


@dataclass(frozen=True)
class Preview:
    """--dry-run: what a promotion would commit and propose, computed in a copy of the tree."""

    subject: str
    body: str
    diffs: tuple[RenderDiff, ...]


@dataclass(frozen=True)
class Review:
    """What the registry says about the promotion, for the commit and the PR body (gate.py, prbody.py)."""

    candidate: gate.Facts | None = None  # the pinned version's facts; None when the registry could not say
    served: gate.Facts | None = None  # the version the target's pin names, when the registry has it
    bypassed: str = ""  # the gate's refusal, when --force let the promotion through anyway
    links: prbody.Links = field(default_factory=lambda: prbody.Links(""))


def review(registry: gate.Registry, request: Request, plan: Plan) -> Review:
    """The gate on the source pin; its refusal becomes a Refusal, or, with --force, the recorded bypass."""
    links = prbody.Links(registry.uri)
    pin_file = str(layout.pin_file(request.source, request.model))
    try:
        candidate = gate.check(registry, plan.pin, request.source, pin_file, from_history=bool(request.from_ref))
    except gate.GateError as err:
        if not request.force:
            raise Refusal(str(err), err.exit_code) from None
        # Forced past the gate, the reviewer still sees the candidate beside what the target serves, whenever
        # the registry answers (an alias not moved yet, say); when it does not, the body says so.
        try:
            candidate = registry.facts(plan.pin.modelName, plan.pin.modelVersion)
            served = _served(registry, request, plan) if candidate else None
        except gate.GateError:
            candidate = served = None
        return Review(candidate, served, bypassed=str(err), links=links)
    try:
        served = _served(registry, request, plan)
    except gate.RegistryError as err:  # the comparison in the PR body needs it; --force bypasses the gate only
        raise Refusal(str(err), err.exit_code) from None
    return Review(candidate, served, links=links)


def _served(registry: gate.Registry, request: Request, plan: Plan) -> gate.Facts | None:
    return registry.facts(request.model, plan.current.modelVersion) if plan.current else None


def plan_promotion(root: Path, request: Request) -> Plan:
    """Every refusal except a failed render or check happens here: before any write or credential."""
    git = Git(root)
    refuse_order(request)
    if request.model not in layout.models(git.root):
        known = ", ".join(layout.models(git.root)) or "none"
        raise Refusal(
            f"{layout.MODELS / request.model}: no such model (declared: {known}) "
            f"(fix: name a model under {layout.MODELS}/, or add one with scripts/new-model)"
        )
    dirty = git.dirty_paths()
    if dirty:
        raise Refusal(
            f"working tree: uncommitted changes in {', '.join(dirty)} "
            f"(fix: commit or stash them first; a promotion commits only its own edits)"
        )
    return _plan(git, request)


@dataclass(frozen=True)
class Plan:
    """What the promotion writes, decided before anything is touched: the target's pin and, when the
    source environment runs other images, the target environment's `images:`."""

    pin: pins.Pin
    current: pins.Pin | None  # what the target pins today
    images: list[ImageOverride]
    model_text: str  # the model's folder in the target after the pin edit
    environment_text: str  # the target's environment component after the images edit
    environment_changed: bool


def _plan(git: Git, request: Request) -> Plan:
    pin = _source_pin(git, request)
    source_env_file = layout.environment_dir(request.source) / KUSTOMIZATION
    source_env = _read_source(git, request, source_env_file)
    # BaseLoader keeps every scalar as written: an unquoted `newTag: 1.10` is the tag "1.10", as kustomize reads it.
    images = images_of(_parsed(lambda: yaml.load(source_env, Loader=yaml.BaseLoader), source_env_file) or {})
    target_file = layout.pin_file(request.target, request.model)
    target_text = _read(git.root / target_file, target_file)
    try:
        current = pins.parse(target_text, str(target_file))
        model_text = pins.with_pin(target_text, pin, str(target_file))
    except pins.PinError as err:
        raise Refusal(f"{target_file}: {err.what} (fix: {err.fix})") from None
    env_file = layout.environment_dir(request.target) / KUSTOMIZATION
    old_env = _read(git.root / env_file, env_file)
    new_env = _parsed(lambda: _with_images(old_env, images), env_file)
    if current == pin and new_env == old_env:
        raise Refusal(
            f"{target_file}: {request.target} already runs {pin.summary} with the same images; "
            f"nothing to promote (fix: none needed)"
        )
    return Plan(pin, current, images, model_text, new_env, new_env != old_env)


def open_promotion(
    root: Path,
    request: Request,
    plan: Plan,
    prs: PullRequests | None,
    check: Check = no_checks,
    seen: Review | None = None,
) -> Promotion:
    """Write, render, check, commit, push, open the PR (when there is a forge); on any failure undo all of it
    and re-raise."""
    git = Git(root)
    seen = seen or Review()
    model_file = layout.pin_file(request.target, request.model)
    env_file = layout.environment_dir(request.target) / KUSTOMIZATION
    folders = _folders(git.root, request, plan)
    before = {folder: _render(git.root, folder, "before the promotion") for folder in folders}
    original, start = git.current_branch(), git.head()
    base = request.base or original
    version = f"{request.model}-v{plan.pin.modelVersion or 'unknown'}"
    # The base commit in the name keeps branches unique when a version is promoted again later.
    branch = f"promote/{request.target}/{version}-{git.head(short=True)}"
    subject, body = _message(request, plan.pin, plan.images, plan.environment_changed, git, seen)
    git.run("switch", "-q", "-c", branch)
    pushed = False
    try:
        _write(git.root, request, plan)
        diffs = _diffs(git.root, folders, before, base, branch, check)
        git.run("add", "--", str(model_file), str(env_file))
        git.run("commit", "-q", "-m", subject, "-m", body)
        commit = git.head()
        git.run("push", "-q", "--set-upstream", request.remote, branch)
        pushed = True
        pr_body = _pr_body(body, request, plan, seen, diffs)
        pull_request = prs.open_pull_request(head=branch, base=base, title=subject, body=pr_body) if prs else None
    except BaseException:
        _undo(git, start, original, branch, pushed, request.remote)
        raise
    git.run("switch", "-q", original)
    return Promotion(branch, commit, base, pull_request, diffs, pr_body)


def preview_promotion(root: Path, request: Request, plan: Plan, check: Check = no_checks, seen: Review | None = None):
    """--dry-run: the same edits, renders and checks in an exported copy of HEAD; the repository is not touched."""
    git = Git(root)
    seen = seen or Review()
    folders = _folders(git.root, request, plan)
    base = request.base or git.current_branch()
    subject, body = _message(request, plan.pin, plan.images, plan.environment_changed, git, seen)
    with tempfile.TemporaryDirectory(prefix="promote-dry-run-") as tmp:
        copy = Path(tmp)
        git.export("HEAD", copy)  # the tree is clean (plan_promotion checked): HEAD is the working tree
        before = {folder: _render(copy, folder, "before the promotion") for folder in folders}
        _write(copy, request, plan)
        diffs = _diffs(copy, folders, before, base, "promotion", check)
    return Preview(subject, _pr_body(body, request, plan, seen, diffs), diffs)


def _folders(root: Path, request: Request, plan: Plan) -> list[Path]:
    # The images are the environment's: when they move, every folder of the target changes with them.
    if plan.environment_changed:
        return layout.deployable(root, request.target)
    return [layout.pin_file(request.target, request.model).parent]


def _write(root: Path, request: Request, plan: Plan) -> None:
    write_atomic(root / layout.pin_file(request.target, request.model), plan.model_text)
    if plan.environment_changed:
        write_atomic(root / layout.environment_dir(request.target) / KUSTOMIZATION, plan.environment_text)


def _diffs(root: Path, folders, before, base: str, after: str, check: Check) -> tuple[RenderDiff, ...]:
    return tuple(
        diff_renders(
            Rendered(f"{folder}@{base}", before[folder].text),
            Rendered(f"{folder}@{after}", _render_checked(root, folder, check).text),
        )
        for folder in folders
    )


def _pr_body(body: str, request: Request, plan: Plan, seen: Review, diffs) -> str:
    served_version = plan.current.modelVersion if plan.current else ""
    table = prbody.comparison(seen.candidate, request.target, seen.served, served_version, seen.links)
    rendered = "\n".join(diffreport.as_markdown(d) for d in diffs)
    return (
        f"{body}\n\n### {request.model}: the candidate and what {request.target} serves\n\n{table}\n"
        f"### Rendered diff\n\n{rendered}"
    )


def refuse_order(request: Request) -> None:
    """Only the next step of dev -> staging -> prod goes through without --force and a reason."""
    wants = '(fix: add --force --reason "<why>")'
    if request.force and not request.reason.strip():
        raise Refusal('--force needs --reason "<why>": the reason goes into the commit (fix: add --reason)')
    if request.from_ref and not request.force:
        raise Refusal(
            f"--from-ref {request.from_ref}: promoting a pin from history bypasses the order {ORDER_TEXT} {wants}"
        )
    problem = layout.order_problem(request.source, request.target)
    same_environment = request.source == request.target
    # --force covers skipping and going back; prod -> prod only makes sense from history.
    if not problem or (request.force and (not same_environment or request.from_ref)):
        return
    step = f"{request.source} -> {request.target}"
    if problem.startswith("skips"):
        following = layout.ORDER[layout.ORDER.index(request.source) + 1]
        fix = f'(fix: promote {request.source} -> {following} first, or add --force --reason "<why>")'
    elif not same_environment:
        fix = '(fix: to roll back on purpose, add --force --reason "<why>")'
    else:
        fix = '(fix: to restore an earlier pin, add --from-ref <git-ref> --force --reason "<why>")'
    raise Refusal(f"{step}: {problem}; promotions go {ORDER_TEXT} {fix}")


def _source_pin(git: Git, request: Request) -> pins.Pin:
    path = layout.pin_file(request.source, request.model)
    label = f"{path}@{request.from_ref}" if request.from_ref else str(path)
    try:
        pin = pins.parse(_read_source(git, request, path), label)
    except pins.PinError as err:
        raise Refusal(f"{label}: {err.what} (fix: {err.fix})") from None
    if pin is None:
        raise Refusal(
            f"{label}: pins no model version yet: nothing to promote "
            f"(fix: run the pipeline for {request.model} first, or promote from an environment that serves one)"
        )
    problem = pin.verdict_problem()
    if problem:
        raise Refusal(
            f"{label}: {problem}: only a model that passed validation is promoted "
            f"(fix: promote a version whose validate step passed; run the pipeline again if none has)"
        )
    return pin


def _read_source(git: Git, request: Request, path: Path) -> str:
    if not request.from_ref:
        return _read(git.root / path, path)
    try:
        return git.show(request.from_ref, path.as_posix())
    except GitError:
        raise Refusal(
            f"{path}@{request.from_ref}: not found at that ref (fix: pick a commit that has it: git log -- {path})"
        ) from None


def _parsed(parse: Callable[[], T], path: Path) -> T:
    """`parse()`, with a YAML error turned into a refusal that names the file, the line and the fix."""
    try:
        return parse()
    except (yaml.YAMLError, ruamel_errors.YAMLError) as err:
        what, fix = yamlerrors.describe(err, str(path))
        raise Refusal(f"{path}: {what} (fix: {fix})") from None


def _read(path: Path, label: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Refusal(
            f"{label}: not found (fix: every model has a folder in each of {ORDER_TEXT}; scripts/new-model adds them)"
        ) from None


def _with_images(kustomization: str, images: list[ImageOverride]) -> str:
    unchanged = roundtrip.dump(roundtrip.load(kustomization), like=kustomization)
    document = roundtrip.load(kustomization)
    for image in images:
        set_image(document, image)
    edited = roundtrip.dump(document, like=kustomization)
    # Compared as serialised text, not as values: 1.10 and 1.1 are different tags.
    # An untouched file stays byte for byte what it was (no re-indent of unrelated lines).
    return kustomization if edited == unchanged else edited


def _render(root: Path, folder: Path, when: str) -> Rendered:
    try:
        return build(root / folder, root=root)
    except RenderError as err:
        # kustomize's cause and fix (core.kustomize_errors), said of the folder promote was rendering.
        cause = " ".join(err.cause.split())
        raise Refusal(f"{folder}: does not render {when}: {cause}; nothing was changed (fix: {err.fix})") from None


def _render_checked(root: Path, folder: Path, check: Check) -> Rendered:
    after = _render(root, folder, "once promoted")
    problems = check(after)
    if problems:
        # One line, like every refusal: the count and the first finding; --dry-run prints them all (cli.py).
        count = f"{len(problems)} finding" + ("s" if len(problems) > 1 else "")
        raise Refusal(
            f"{folder}: the promoted result fails validation ({count}; the first: {problems[0]}), nothing was "
            "changed (fix: correct it where it comes from, the source environment's pin or images, then promote "
            "again; the same command with --dry-run lists every finding)",
            findings=problems,
        )
    return after


def _message(
    request: Request, pin: pins.Pin, images: list[ImageOverride], images_moved: bool, git: Git, seen: Review
) -> tuple[str, str]:
    source = request.source
    if request.from_ref:
        # Name the commit too: a branch or `HEAD~2` means something else tomorrow.
        sha = git.run("rev-parse", "--short", request.from_ref + "^{commit}").strip()
        source = f"{source}@{request.from_ref}" + (f" ({sha})" if sha != request.from_ref else "")
    subject = f"Promote {pin.summary} from {source} to {request.target}" + (" (forced)" if request.force else "")
    lines = [
        f"Copies the pin of {layout.pin_file(request.source, request.model)} "
        f"to {layout.pin_file(request.target, request.model)}.",
        "",
        f"Validation: passed (accuracy {pin.accuracy or '?'}, f1Macro {pin.f1Macro or '?'})",
        f"Storage URI: {pin.storageUri or '?'}",
    ]
    if seen.candidate or seen.bypassed:
        # A bypassed gate saw nothing serving: the block says why it was bypassed, not "Seen serving".
        seen_serving = None if seen.bypassed else seen.candidate
        lines += ["", *prbody.registry_lines(seen_serving, request.source, seen.links, seen.bypassed)]
    if images_moved:
        lines += ["", f"Moves {request.target}'s images to {request.source}'s, for every model of {request.target}:"]
        lines += [f"Image: {_image_text(image)}" for image in images]
    if request.force:
        if request.from_ref:
            forced = [f"promotes {request.source}'s pin as it was at {request.from_ref}"]
        else:
            forced = [problem] if (problem := layout.order_problem(request.source, request.target)) else []
        forced += ["the registry gate"] if seen.bypassed else []
        forced_text = "; ".join(forced) or "nothing needed it (next step in order, gate passed)"
        lines += ["", f"Forced: {forced_text}", f"Reason: {request.reason.strip()}"]
    return subject, "\n".join(lines)


def _image_text(image: ImageOverride) -> str:
    text = f"{image.name} -> {image.new_name or image.name}"
    text += f":{image.new_tag}" if image.new_tag else ""
    return text + (f"@{image.digest}" if image.digest else "")


def _undo(git: Git, start: str, original: str, branch: str, pushed: bool, remote: str) -> None:
    """Leave the repository as promote found it: clean tree, original branch, no promotion branch."""
    git.run("reset", "-q", "--hard", start)  # safe: the tree was verified clean before we started
    git.run("switch", "-q", original)
    git.run("branch", "-q", "-D", branch)
    if pushed:
        try:
            git.run("push", "-q", remote, "--delete", branch)
        except GitError:
            pass  # best effort; the error being raised already says what failed
