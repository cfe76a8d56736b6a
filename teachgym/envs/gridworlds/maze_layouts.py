"""Hand-designed 13 x 13 held-out mazes (the ``held-out`` test set of ``teachgym/Maze-v0``).

Drawn here after the kinds of held-out mazes of the regret-based curriculum
literature (labyrinths, perfect mazes, many-room layouts, corridors; docs/references.md
[jiang2021rplr], [parkerholder2022]),
not copied from any of them. ``#`` wall, ``.`` free, ``G`` goal, ``> v < ^`` the
agent facing east, south, west, north. Pictures: ``docs/mazes.png``
(``python benchmarks/maze_gallery.py`` redraws it).
"""

from __future__ import annotations

from teachgym.tasks import Task

MAZE_SIDE = 13
"""Free-space side of a maze (the grid adds a wall border: 15 x 15 cells)."""

_AGENT = {">": 0, "v": 1, "<": 2, "^": 3}

DRAWINGS: dict[str, tuple[str, ...]] = {
    "labyrinth": (
        ">............",
        ".###########.",
        ".#.........#.",
        ".#.###.###.#.",
        ".#.#.....#.#.",
        ".#.#.###.#.#.",
        ".#.#.#G#.#.#.",
        ".#.#.#.#.#.#.",
        ".#.#.....#.#.",
        ".#.#######.#.",
        ".#.........#.",
        ".#####.#####.",
        ".............",
    ),
    "perfect_maze": (
        "v#...........",
        ".###.#######.",
        "...#.......#.",
        "##.#.#######.",
        ".#.#.#...#...",
        ".#.###.#.#.#.",
        ".#.....#...#.",
        ".###########.",
        "...........#.",
        ".#########.#.",
        ".#G..#.....#.",
        ".###.#.#####.",
        ".....#.......",
    ),
    "many_rooms": (
        "...#..#......",
        ".>....#..#...",
        "...#.....#...",
        "#.########.##",
        "...#.....#...",
        "...#..#......",
        "#####.#######",
        "...#..#..#...",
        ".........#.G.",
        "##.####.####.",
        "...#..#..#...",
        "......#..#...",
        "...#..#......",
    ),
    "long_corridor": (
        ">............",
        "############.",
        ".............",
        ".############",
        ".............",
        "############.",
        ".............",
        ".############",
        ".............",
        "############.",
        ".............",
        ".############",
        "............G",
    ),
    "four_rooms": (
        "......#......",
        ".v....#......",
        "......#......",
        ".............",
        "......#......",
        "......#......",
        "###.#####.###",
        "......#......",
        "......#......",
        ".............",
        "......#......",
        "......#....G.",
        "......#......",
    ),
    "bottleneck": (
        ".............",
        "......#......",
        "......#......",
        "......#......",
        "......#......",
        "......#......",
        "......#......",
        "......#......",
        "......#......",
        "......#......",
        "......#......",
        ".^....#....G.",
        "......#......",
    ),
    "crossing": (
        "......^......",
        "#########.###",
        ".............",
        "##.##########",
        ".............",
        "#######.#####",
        ".............",
        "####.########",
        ".............",
        "##########.##",
        ".............",
        "#.###########",
        "......G......",
    ),
    "zigzag": (
        ">.#..........",
        "..#..........",
        "..#..#####...",
        "..#..#...#...",
        "..#..#.#.#...",
        "..#..#.#.#...",
        "..#..#.#.#...",
        "..#..#.#.#...",
        "..#....#.#...",
        "..######.#...",
        ".........#...",
        "##########...",
        "G............",
    ),
    "dead_ends": (
        "<.#.#.#.#.#..",
        "..#.#.#.#.#..",
        ".............",
        "#.#.#.#.#.#..",
        "#.#.#.#.#.#..",
        "#.#.#.#.#.#..",
        "############.",
        "#.#.#.#.#.#..",
        "#.#.#.#.#.#..",
        ".............",
        "..#.#.#.#.#..",
        "..#.#.#.#.#..",
        "G.#.#.#.#.#..",
    ),
}
"""The held-out mazes as drawings (rows top to bottom)."""


def parse_drawing(rows: tuple[str, ...]) -> Task:
    """A drawing -> a Maze-v0 task (walls, agent cell and direction, goal cell)."""
    if len(rows) != MAZE_SIDE or any(len(row) != MAZE_SIDE for row in rows):
        raise ValueError(f"a maze drawing needs {MAZE_SIDE} rows of {MAZE_SIDE} characters")
    walls = [[1 if ch == "#" else 0 for ch in row] for row in rows]
    agents = [
        (x, y, _AGENT[ch]) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch in _AGENT
    ]
    goals = [(x, y) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch == "G"]
    unknown = {ch for row in rows for ch in row} - set("#.G") - set(_AGENT)
    if len(agents) != 1 or len(goals) != 1 or unknown:
        raise ValueError("a maze drawing needs one agent (> v < ^), one G, and only # and . else")
    (ax, ay, direction), (gx, gy) = agents[0], goals[0]
    return {"walls": walls, "agent_x": ax, "agent_y": ay, "agent_dir": direction,
            "goal_x": gx, "goal_y": gy}  # fmt: skip


HELD_OUT_MAZES: dict[str, Task] = {name: parse_drawing(rows) for name, rows in DRAWINGS.items()}
"""The held-out mazes as tasks, by name."""
