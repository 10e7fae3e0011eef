"""Execution environments: worker processes running awslambdaric, each with its own Runtime API listener."""
