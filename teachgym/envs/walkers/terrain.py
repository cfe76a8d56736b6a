"""The geometry of one generated track, before it becomes Box2D bodies."""

from __future__ import annotations

from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass
class Terrain:
    """A track: a ground polyline plus obstacle polygons (all in metres).

    Attributes:
        ground: polyline points, x increasing; the walker starts above the first ones.
        obstacles: convex polygons (stumps, hexagons, stair steps, pit walls).
        kinds: the kind of each obstacle (``"stump"``, ``"hexagon"``, ``"stair"``, ``"pit"``).
    """

    ground: list[Point] = field(default_factory=list)
    obstacles: list[list[Point]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add_ground(self, x: float, y: float) -> None:
        """Extend the ground polyline to (x, y); a repeated point is dropped."""
        if not self.ground or self.ground[-1] != (x, y):
            self.ground.append((x, y))

    def add_obstacle(self, kind: str, polygon: list[Point]) -> None:
        self.obstacles.append(polygon)
        self.kinds.append(kind)

    def count(self, kind: str) -> int:
        """Number of obstacles of ``kind``."""
        return self.kinds.count(kind)


def convex_hull(points: list[Point]) -> list[Point]:
    """Counter-clockwise convex hull of ``points`` (Andrew's monotone chain): the shape
    Box2D actually builds from a polygon's vertices, so drawings match the physics."""
    ordered = sorted(set(points))
    if len(ordered) <= 2:
        return ordered

    def chain(sequence: list[Point]) -> list[Point]:
        hull: list[Point] = []
        for p in sequence:
            while len(hull) >= 2:
                (ax, ay), (bx, by) = hull[-2], hull[-1]
                if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 0:
                    break
                hull.pop()
            hull.append(p)
        return hull[:-1]

    return chain(ordered) + chain(ordered[::-1])


def box(x: float, y: float, width: float, height: float) -> list[Point]:
    """Axis-aligned rectangle with its lower-left corner at (x, y)."""
    return [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
