"""What happened during one call of the terminal phone, for the display and for tests."""

from __future__ import annotations

from dataclasses import dataclass, field

RESULT_VARIABLE = "IVR_RESULT"
FALLOUT_REASON_VARIABLE = "IVR_FALLOUT_REASON"


@dataclass
class CallRecord:
    caller_number: str
    commands: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    caller_hung_up: bool = False

    @property
    def result(self) -> str | None:
        return self.variables.get(RESULT_VARIABLE)

    @property
    def fallout_reason(self) -> str | None:
        return self.variables.get(FALLOUT_REASON_VARIABLE)

    @property
    def ivr_variables(self) -> dict[str, str]:
        return {name: value for name, value in self.variables.items() if name.startswith("IVR_")}
