"""The command line (`python -m model ...`): one module per subcommand and shared table printing.

May import every package of `model` below it; nothing imports it except `model.__main__`.
"""
