"""``--help`` as people read it: a flag takes no value, so it shows none (typer's rich help
prints ``<bool>`` beside every flag), and a required argument is ``PATH``, not ``{path}``.

Applied once, from the command modules' ``register``; a typer without these hooks is left
alone (the help is then typer's own).
"""

from __future__ import annotations

_DONE = False


def polish_help() -> None:
    global _DONE
    if _DONE:
        return
    _DONE = True
    try:
        from typer import core
    except ImportError:  # pragma: no cover
        return
    option = getattr(core, "TyperOption", None)
    argument = getattr(core, "TyperArgument", None)
    if option is not None and hasattr(option, "display_type_rich"):
        original_type = option.display_type_rich

        def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
            if getattr(self, "is_flag", False) and getattr(self, "metavar", None) is None:
                return None  # --json, --report/--no-report: nothing to type after them
            return original_type(self, ctx)

        option.display_type_rich = display_type_rich
    if argument is not None and hasattr(argument, "_usage_display_name"):
        def usage_name(self) -> str:  # type: ignore[no-untyped-def]
            name = str(self.metavar or self.name or "").upper()
            name = name if self.required else f"[{name}]"
            return name + ("..." if getattr(self, "nargs", 1) != 1 else "")

        argument._usage_display_name = usage_name
    if argument is not None and hasattr(argument, "display_type_rich"):
        original_arg_type = argument.display_type_rich

        def arg_type(self, ctx):  # type: ignore[no-untyped-def]
            shown = original_arg_type(self, ctx)
            return None if shown == "<str>" else shown  # PATH says what it is; <str> adds nothing

        argument.display_type_rich = arg_type
