"""Pipeline steps, one module per step: python -m mlpipeline.<step>."""
