"""The subcommands of `python -m geo`, one module per group of commands.

geo/__main__.py builds the parser (options, help texts, examples) and calls
the `cmd_*` function of the command given.
"""
