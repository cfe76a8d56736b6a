"""A scripted agent for the MiniGrid family tests: carries out an oracle subgoal chain."""

from __future__ import annotations

from collections import deque

from minigrid.core.actions import Actions
from minigrid.core.constants import DIR_TO_VEC

from teachgym.envs.gridworlds import MiniGridTaskEnv, Subgoal

STEPS = [tuple(int(v) for v in vec) for vec in DIR_TO_VEC]


class EpisodeOver(Exception):
    """The episode ended before the script finished."""


class Script:
    """Drives ``env`` (already reset) with minigrid actions; records the last step."""

    def __init__(self, env: MiniGridTaskEnv) -> None:
        self.env = env
        self.reward = 0.0
        self.terminated = False
        self.keep_clear: set[tuple[int, int]] = set()  # cells cleared by "move" subgoals

    def act(self, action: int) -> None:
        if self.terminated:
            raise EpisodeOver("the episode is already over")
        _, reward, terminated, truncated, _ = self.env.step(action)
        self.reward, self.terminated = reward, terminated
        if truncated and not terminated:
            raise EpisodeOver("ran out of steps")

    def _walkable(self, cell: tuple[int, int]) -> bool:
        obj = self.env.grid.get(*cell)
        if obj is not None and obj.type == "door":
            return not obj.is_locked  # closed doors are opened on the way
        return obj is None or obj.type in ("goal", "floor")

    def face(self, cell: tuple[int, int]) -> None:
        pos = tuple(int(v) for v in self.env.agent_pos)
        want = STEPS.index((cell[0] - pos[0], cell[1] - pos[1]))
        while self.env.agent_dir != want:
            self.act(Actions.right if (want - self.env.agent_dir) % 4 <= 2 else Actions.left)

    def walk_next_to(self, cell: tuple[int, int], onto: bool = False) -> None:
        """Walk to a cell beside ``cell`` (or onto it) and face it."""
        start = tuple(int(v) for v in self.env.agent_pos)
        parent: dict[tuple[int, int], tuple[int, int] | None] = {start: None}
        queue = deque([start])
        end = None
        while queue:
            here = queue.popleft()
            if abs(here[0] - cell[0]) + abs(here[1] - cell[1]) == 1:
                end = here
                break
            for dx, dy in STEPS:
                nxt = (here[0] + dx, here[1] + dy)
                if nxt not in parent and self._walkable(nxt):
                    parent[nxt] = here
                    queue.append(nxt)
        assert end is not None, f"no way to {cell}"
        path = [end]
        while (previous := parent[path[-1]]) is not None:
            path.append(previous)
        for step in reversed(path[:-1]):
            self.face(step)
            door = self.env.grid.get(*step)
            if door is not None and door.type == "door" and not door.is_open:
                self.act(Actions.toggle)
            self.act(Actions.forward)
        self.face(cell)
        if onto:
            self.act(Actions.forward)

    def drop_anything(self) -> None:
        """Drop what is carried on a free cell beside the agent, away from doors if possible."""
        for strict in (True, False):
            for _ in range(4):
                if self.env.carrying is None:
                    return
                front = tuple(int(v) for v in self.env.front_pos)
                free = self.env.grid.get(*front) is None and front not in self.keep_clear
                if free and not (strict and self._beside_door(front)):
                    self.act(Actions.drop)
                    return
                self.act(Actions.left)
        assert self.env.carrying is None, "nowhere to drop"

    def _beside_door(self, cell: tuple[int, int]) -> bool:
        for dx, dy in STEPS:
            x, y = cell[0] + dx, cell[1] + dy
            if 0 <= x < self.env.width and 0 <= y < self.env.height:
                obj = self.env.grid.get(x, y)
                if obj is not None and obj.type == "door":
                    return True
        return False

    def achieve(self, subgoal: Subgoal) -> None:
        if subgoal.kind == "go to":
            self.walk_next_to(subgoal.pos, onto=True)
        elif subgoal.kind == "open":
            self.walk_next_to(subgoal.pos)
            self.act(Actions.toggle)
        elif subgoal.kind == "pick up":
            self.drop_anything()
            self.walk_next_to(subgoal.pos)
            self.act(Actions.pickup)
        else:  # move: pick it up and drop it out of the way
            self.drop_anything()
            self.walk_next_to(subgoal.pos)
            self.act(Actions.pickup)
            self.keep_clear.add(subgoal.pos)
            self.drop_anything()
