"""The Dockerfile read as commands: its stages, RUN steps, ENV and CMD, so tests run exactly what the image runs."""

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def runs(self) -> list[list[str]]:
        """Every RUN instruction as its `&&`-separated commands, each split like a shell would."""
        return [[shlex.split(part) for part in args.split("&&")] for keyword, args in self.instructions if keyword == "RUN"]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for keyword, args in self.instructions:
            if keyword == "ENV":
                values.update(part.split("=", 1) for part in shlex.split(args))
        return values

    def cmd(self) -> list[str]:
        return json.loads([args for keyword, args in self.instructions if keyword == "CMD"][-1])


def dockerfile_stages(text: str | None = None) -> list[Stage]:
    """The stages of the Dockerfile, in order (continuation lines joined, comments dropped)."""
    text = DOCKERFILE.read_text() if text is None else text
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    stages: list[Stage] = []
    for line in joined.splitlines():
        if not line.strip():
            continue
        keyword, _, args = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            stages.append(Stage(name=words[2] if len(words) > 2 and words[1].upper() == "AS" else str(len(stages))))
        stages[-1].instructions.append((keyword, args.strip()))
    return stages


def commands_of(stage: Stage, program: str) -> list[list[str]]:
    """The commands of the stage's RUN steps that start with `program` (e.g. "pip", "python")."""
    return [command for run in stage.runs() for command in run if command and command[0] == program]
