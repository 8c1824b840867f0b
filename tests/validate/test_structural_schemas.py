"""Kubernetes' structural-schema semantics, and the defects of the catalog-based schema layer, on small inputs.

Semantics: apiextensions-apiserver pkg/apiserver/schema (pruning, defaulting/prunenulls.go,
listtype/validation.go, objectmeta/validation.go) and pkg/apiserver/validation/formats.go;
YAML to JSON as sigs.k8s.io/yaml (yaml.go, convertToJSONableObject) does it for kubectl.
"""

from __future__ import annotations

import textwrap

from gitops.validate.run import check_objects, documents

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                note: {type: string, nullable: true}
                size: {type: integer}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
                ports:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items: {type: object, properties: {name: {type: string}, port: {type: integer}}}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
"""


def lines(text: str, schema_index) -> list[str]:
    docs, findings = documents("t", textwrap.dedent(text))
    return [f.line() for f in findings + check_objects(docs, schema_index)]


def widget(spec: str) -> str:
    return CRD + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: demo}\n" + spec


def test_nulls_pass_where_nullable_and_are_pruned_elsewhere(schema_index):
    assert lines(widget("spec: {note: null, size: null}"), schema_index) == []


def test_preserve_unknown_fields_keeps_unknown_fields_and_other_objects_reject_them(schema_index):
    assert lines(widget("spec: {extra: {anything: 1}, colour: red}"), schema_index) == [
        't: Widget/demo/w spec.colour: unknown field "colour" (fix: remove it; fields allowed here: '
        "extra, note, ports, size, tags, template)"
    ]


def test_list_type_set_and_map_reject_repeats(schema_index):
    found = lines(widget("spec: {tags: [a, a], ports: [{name: http, port: 1}, {name: http, port: 2}]}"), schema_index)
    assert found == [
        "t: Widget/demo/w spec.tags: Duplicate value: the list is a set and repeats an item "
        "(fix: remove the repeated item)"
    ]
    found = lines(widget("spec: {ports: [{name: http, port: 1}, {name: http, port: 2}]}"), schema_index)
    assert found == [
        't: Widget/demo/w spec.ports[1]: Duplicate value: {"name":"http"} '
        "(fix: list items are keyed by name: merge them)"
    ]


def test_an_embedded_resource_needs_apiversion_and_kind(schema_index):
    assert lines(widget("spec: {template: {apiVersion: v1, metadata: {name: x}}}"), schema_index) == [
        't: Widget/demo/w spec.template: missing required field "kind" (fix: add kind)'
    ]


def test_a_non_string_map_key_is_read_as_kubectl_reads_it(schema_index):
    """`1:` becomes "1", as sigs.k8s.io/yaml does; jsonschema-rs used to stop with ValueError here."""
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {1: one}\n2: two\n"
    assert lines(text, schema_index) == [
        't: ConfigMap/-/settings 2: unknown field "2" (fix: remove it; fields allowed '
        "here: apiVersion, binaryData, data, immutable, kind, metadata)"
    ]


def test_a_key_json_has_no_form_for_is_one_finding(schema_index):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata:\n  ? [a, b]\n  : c\n"
    assert lines(text, schema_index) == [
        "t: ConfigMap/-/settings data: map key ('a', 'b') is not a string "
        "(fix: quote the key, or make it a plain string)"
    ]


def test_creation_policy_create_or_merge_is_valid_in_external_secrets_2_9_0(schema_index):
    """external-secrets v2.9.0 deploy/crds/bundle.yaml: target.creationPolicy's enum includes CreateOrMerge."""
    text = """\
    apiVersion: external-secrets.io/v1
    kind: ExternalSecret
    metadata: {name: s3, namespace: demo}
    spec:
      secretStoreRef: {kind: ClusterSecretStore, name: platform-secrets}
      target: {name: s3, creationPolicy: CreateOrMerge}
      data:
        - secretKey: key
          remoteRef: {key: iris/s3}
    """
    assert lines(text, schema_index) == []


def test_an_unexpected_exception_is_one_line_naming_the_input_and_exit_2(repo, schema_index, monkeypatch, capsys):
    from gitops.validate import apiserver
    from gitops.validate import cli as validate

    def broken(doc):
        raise KeyError("boom")

    monkeypatch.setattr(apiserver, "check", broken)
    assert validate.main(["tests/fixtures/validate/good/overlay", "--repo", str(repo)], rule_passes=[]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "validate: internal error while checking tests/fixtures/validate/good/overlay: Deployment/demo/web: "
        "KeyError: 'boom' (a bug in the validator: report it)"
    ]
