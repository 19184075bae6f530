"""The application layer (hotline.app): the CLI and what wires the stages into a running platform.

The top of the stack (tests/test_layers.py): it may import every stage and the kernel (hotline/);
nothing below imports it.
"""
