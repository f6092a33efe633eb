"""CLI sub-commands, one module each. Every module exposes ``register(app)``."""

from hipvision.commands import batch, circles, demo, extract, history, models, report, rotation, session

COMMAND_MODULES = (demo, extract, rotation, circles, session, batch, report, history, models)
