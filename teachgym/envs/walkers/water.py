"""Water forces on the body polygons that overlap Parkour's water box.

The model is TeachMyAgent's ``WaterDynamics`` (docs/references.md [romac2021]; after
iforce2d's Box2D buoyancy tutorial, [iforce2d]), applied after each Box2D step so it
acts during the next one. For each body polygon clipped to the water box:

* buoyancy ``density * area * g`` upwards at the clipped polygon's centroid;
* for each edge of the clipped polygon whose outward normal faces the edge's velocity
  (``n . v_hat >= 0``), a drag ``min(n . v_hat * 0.25 * length * density * |v|^2, 2000)``
  against the velocity and a lift ``min(n . v_hat * e_hat . v_hat * 0.25 * length *
  density * |v|^2, 500)`` perpendicular to it, both at the edge's midpoint (``v`` is the
  body's velocity there; the water is still);
* for each edge and each motor joint driving the body (the body is the joint's second
  body, the joint within its limits), a push from the motor torque ``tau``: with ``F =
  (anchor -> centre) x (-tau)`` and ``n . F > 0``, the force ``clip(-F * n . F * 0.05 *
  length * density * (tau + I * omega)^2, -20, 20)`` at the joint's anchor.

:class:`WaterForces` computes every polygon and every edge at once with numpy (padded
vertex arrays kept while the set of immersed polygons is unchanged, a vectorised
Sutherland-Hodgman clip at the surface) and applies one force and one torque per body,
which Box2D sums exactly as it sums forces applied at points.
:func:`apply_water_forces_loop` is the same model as a plain per-polygon Python loop
(one ``ApplyForce`` per force, as the reference does), kept to measure the two side by
side and to test that they agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DRAG = 0.25
LIFT = 0.25
PUSH = 0.05
MAX_DRAG = 2000.0
MAX_LIFT = 500.0
MAX_PUSH = 20.0
"""Coefficients and caps of the reference's water model (``WaterDynamics`` defaults;
the push cap is the environment's ``water_clip``)."""
MOTOR_INV_DT = 60.0
"""The reference reads a joint's motor torque as its impulse times 60."""
_EPSILON = 1.1920929e-07
"""Box2D's ``b2_epsilon``: shorter vectors are not normalised, smaller areas are 0."""


@dataclass(frozen=True)
class WaterBox:
    """The water: an axis-aligned box (metres) of the given density.

    Attributes:
        left, right, bottom, top: the box; ``top`` is the surface.
        density: kg per square metre (the reference's 1.0).
        gravity: magnitude of the world's gravity (m/s^2).
    """

    left: float
    right: float
    bottom: float
    top: float
    density: float = 1.0
    gravity: float = 10.0


@dataclass
class Immersed:
    """One body polygon touching the water, with what the force model reads from it.

    Attributes:
        fixture: the Box2D fixture (a polygon).
        body: its body.
        local: (k, 2) polygon vertices in the body frame.
        motors: the revolute joints whose second body is ``body`` (the push's joints).
    """

    fixture: Any
    body: Any
    local: np.ndarray
    motors: list[Any] = field(default_factory=list)

    @classmethod
    def of(cls, fixture: Any) -> Immersed:
        body = fixture.body
        local = np.array(fixture.shape.vertices, dtype=np.float64).reshape(-1, 2)
        motors = [
            edge.joint
            for edge in body.joints
            if edge.joint.bodyB == body and hasattr(edge.joint, "lowerLimit")
        ]
        return cls(fixture, body, local, motors)


# -- vectorised ---------------------------------------------------------------------------
class _Layout:
    """Padded arrays of one set of immersed polygons (rebuilt when the set changes).

    Each polygon's vertices are padded by repeating its last vertex, so the padding adds
    only zero-length edges and zero-area triangles and no mask is needed.
    """

    def __init__(self, immersed: Sequence[Immersed]) -> None:
        self.items = list(immersed)
        self.bodies: list[Any] = []
        slots: dict[Any, int] = {}  # Box2D wrappers of one body are equal and hash alike
        body_of = []
        for item in self.items:
            slot = slots.get(item.body)
            if slot is None:
                slot = slots[item.body] = len(self.bodies)
                self.bodies.append(item.body)
            body_of.append(slot)
        self.body_of = np.array(body_of, dtype=np.int64)
        self.one_per_body = len(self.bodies) == len(self.items)
        width = max(len(item.local) for item in self.items)
        self.local = np.empty((len(self.items), width, 2))
        for i, item in enumerate(self.items):
            k = len(item.local)
            self.local[i, :k] = item.local
            self.local[i, k:] = item.local[-1]
        self.motors = [
            (i, k, joint)
            for i, item in enumerate(self.items)
            for k, joint in enumerate(item.motors)
        ]
        self.n_motors = max(len(item.motors) for item in self.items)


def _clip_surface(points: np.ndarray, top: float) -> np.ndarray:
    """Clip (n, m, 2) padded polygons to ``y < top`` (Sutherland-Hodgman, all at once);
    returns (n, 2m, 2) padded the same way. Every row has a vertex below ``top``."""
    n, m, _ = points.shape
    start = np.roll(points, 1, axis=1)
    inside = points[:, :, 1] < top
    inside_start = start[:, :, 1] < top
    crossing = inside != inside_start
    d_start = start[:, :, 1] - top
    d_end = points[:, :, 1] - top
    t = d_start / np.where(crossing, d_start - d_end, 1.0)
    cut = start + t[:, :, None] * (points - start)
    candidates = np.stack([cut, points], axis=2).reshape(n, 2 * m, 2)
    keep = np.stack([crossing, inside], axis=2).reshape(n, 2 * m)
    order = np.argsort(~keep, axis=1, kind="stable")
    clipped = np.take_along_axis(candidates, order[:, :, None], axis=1)
    count = keep.sum(axis=1)
    pad = np.arange(2 * m)[None, :] >= count[:, None]
    last = clipped[np.arange(n), count - 1]
    return np.where(pad[:, :, None], last[:, None, :], clipped)


def _clip_box(points: np.ndarray, water: WaterBox) -> np.ndarray:
    """Clip padded polygons to the whole water box (for the rare ones leaving its sides
    or bottom): each in turn, in plain Python, padded again to a common width."""
    rows = []
    for row in points.tolist():
        polygon = [tuple(p) for p in row]
        for axis, bound, below in _box_sides(water):
            polygon = _clip_loop(polygon, axis, bound, below)
        rows.append(polygon or [(0.0, 0.0)])
    width = max(len(r) for r in rows)
    return np.array([r + [r[-1]] * (width - len(r)) for r in rows], dtype=np.float64)


def water_forces(
    immersed: Sequence[Immersed], water: WaterBox, layout: _Layout | None = None
) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """The water's pull on each body touching it, all polygons and edges at once.

    Returns:
        (bodies, forces, torques): the distinct bodies, their total force (b, 2) in N and
        their total torque (b,) in N m about each body's centre of mass.
    """
    if not immersed:
        return [], np.zeros((0, 2)), np.zeros(0)
    if layout is None:
        layout = _Layout(immersed)
    bodies = layout.bodies
    state = np.array(
        [
            (*b.position, b.angle, *b.linearVelocity, b.angularVelocity, *b.worldCenter, b.inertia)
            for b in bodies
        ]
    )
    per = state if layout.one_per_body else state[layout.body_of]
    cos, sin = np.cos(per[:, 2:3]), np.sin(per[:, 2:3])
    lx, ly = layout.local[:, :, 0], layout.local[:, :, 1]
    points = np.stack(
        [per[:, 0:1] + cos * lx - sin * ly, per[:, 1:2] + sin * lx + cos * ly], axis=2
    )
    ys = points[:, :, 1]
    low, high = ys.min(axis=1), ys.max(axis=1)
    xs = points[:, :, 0]
    if xs.min() <= water.left or xs.max() >= water.right or low.min() <= water.bottom:
        points = _clip_box(points, water)
    elif high.max() >= water.top:
        wet = low < water.top
        crossing = wet & (high >= water.top)
        if crossing.any():
            clipped = _clip_surface(points[crossing], water.top)
            widened = np.concatenate(
                [points, np.repeat(points[:, -1:], clipped.shape[1] - points.shape[1], axis=1)],
                axis=1,
            )
            widened[crossing] = clipped
            points = widened
        if not wet.all():  # polygons whose contact has not ended yet but that are out
            points = np.where(wet[:, None, None], points, points[:, :1])
    following = np.roll(points, -1, axis=1)
    centre = per[:, None, 6:8]
    rho = water.density
    # buoyancy at the clipped polygon's centroid (fan from the origin, as Box2D does)
    cross = points[:, :, 0] * following[:, :, 1] - points[:, :, 1] * following[:, :, 0]
    area = 0.5 * cross.sum(axis=1)
    moment_x = (cross * (points[:, :, 0] + following[:, :, 0])).sum(axis=1) / 6.0
    big = area > _EPSILON
    centroid_x = np.where(big, moment_x / np.where(big, area, 1.0), moment_x)
    buoyancy = np.where(big, rho * area * water.gravity, 0.0)
    # drag and lift per edge, at its midpoint
    rel = 0.5 * (points + following) - centre
    omega = per[:, 5:6]
    vx = per[:, 3:4] - omega * rel[:, :, 1]
    vy = per[:, 4:5] + omega * rel[:, :, 0]
    speed = np.hypot(vx, vy)
    inverse = 1.0 / np.maximum(speed, _EPSILON)
    ux, uy = vx * inverse, vy * inverse
    speed = np.where(speed >= _EPSILON, speed, 0.0)
    ex = following[:, :, 0] - points[:, :, 0]
    ey = following[:, :, 1] - points[:, :, 1]
    length = np.hypot(ex, ey)
    inverse = 1.0 / np.maximum(length, _EPSILON)
    ex, ey = ex * inverse, ey * inverse
    length = np.where(length >= _EPSILON, length, 0.0)
    drag_dot = ey * ux - ex * uy  # outward normal (ey, -ex) . velocity direction
    base = np.where(drag_dot >= 0, length * rho * speed * speed, 0.0)
    drag = np.minimum(drag_dot * DRAG * base, MAX_DRAG)
    lift = np.minimum(drag_dot * (ex * ux + ey * uy) * LIFT * base, MAX_LIFT)
    fx = -drag * ux - lift * uy
    fy = -drag * uy + lift * ux
    force_x = fx.sum(axis=1)
    force_y = fy.sum(axis=1) + buoyancy
    torque = (rel[:, :, 0] * fy - rel[:, :, 1] * fx).sum(axis=1)
    torque += (centroid_x - per[:, 6]) * buoyancy
    # push from the motors
    if layout.n_motors:
        motor = np.zeros((len(layout.items), layout.n_motors, 3))  # torque, anchor x, anchor y
        for i, k, joint in layout.motors:
            if joint.lowerLimit < joint.angle < joint.upperLimit:
                motor[i, k] = (joint.GetMotorTorque(MOTOR_INV_DT), *joint.anchorB)
        tau = motor[:, None, :, 0]  # (n, 1, J)
        lever_x = per[:, None, 6:7] - motor[:, None, :, 1]
        lever_y = per[:, None, 7:8] - motor[:, None, :, 2]
        arm_x, arm_y = -tau * lever_y, tau * lever_x
        push_dot = ey[:, :, None] * arm_x - ex[:, :, None] * arm_y  # (n, edges, J)
        spin = tau + (per[:, 8] * per[:, 5])[:, None, None]
        magnitude = np.where(
            push_dot > 0, push_dot * PUSH * rho * length[:, :, None] * spin * spin, 0.0
        )
        px = np.clip(-magnitude * arm_x, -MAX_PUSH, MAX_PUSH).sum(axis=1)  # (n, J)
        py = np.clip(-magnitude * arm_y, -MAX_PUSH, MAX_PUSH).sum(axis=1)
        force_x += px.sum(axis=1)
        force_y += py.sum(axis=1)
        torque += (-lever_x[:, 0] * py + lever_y[:, 0] * px).sum(axis=1)
    if layout.one_per_body:
        return bodies, np.stack([force_x, force_y], axis=1), torque
    b = len(bodies)
    forces = np.stack(
        [np.bincount(layout.body_of, force_x, b), np.bincount(layout.body_of, force_y, b)], axis=1
    )
    return bodies, forces, np.bincount(layout.body_of, torque, b)


class WaterForces:
    """Applies the vectorised water forces, keeping the padded arrays while the set of
    immersed polygons stays the same."""

    def __init__(self) -> None:
        self._layout: _Layout | None = None

    def __call__(self, immersed: Sequence[Immersed], water: WaterBox) -> None:
        layout = self._layout
        if (
            layout is None
            or len(layout.items) != len(immersed)
            or any(a is not b for a, b in zip(layout.items, immersed, strict=True))
        ):
            layout = self._layout = _Layout(immersed)
        bodies, forces, torques = water_forces(immersed, water, layout)
        for body, force, torque in zip(bodies, forces.tolist(), torques.tolist(), strict=True):
            body.ApplyForceToCenter(force, True)
            body.ApplyTorque(torque, True)


# -- plain loop ---------------------------------------------------------------------------
def _box_sides(water: WaterBox) -> tuple[tuple[int, float, bool], ...]:
    """(axis, bound, keep below) of the box's four sides, surface first."""
    return (
        (1, water.top, True),
        (0, water.left, False),
        (0, water.right, True),
        (1, water.bottom, False),
    )


def _clip_loop(
    polygon: list[tuple[float, float]], axis: int, bound: float, keep_below: bool
) -> list[tuple[float, float]]:
    def distance(p: tuple[float, float]) -> float:
        return p[axis] - bound if keep_below else bound - p[axis]

    result: list[tuple[float, float]] = []
    if not polygon:
        return result
    start = polygon[-1]
    for end in polygon:
        d_start, d_end = distance(start), distance(end)
        if d_end < 0:
            if d_start >= 0:
                t = d_start / (d_start - d_end)
                result.append(
                    (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
                )
            result.append(end)
        elif d_start < 0:
            t = d_start / (d_start - d_end)
            result.append((start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])))
        start = end
    return result


class _Applier:
    """Applies one force at a point of ``body`` and adds it to ``applied`` (fx, fy, torque)."""

    def __init__(self, body: Any, cx: float, cy: float, applied: list[float]) -> None:
        self.body, self.cx, self.cy, self.applied = body, cx, cy, applied

    def __call__(self, fx: float, fy: float, px: float, py: float) -> None:
        self.body.ApplyForce((fx, fy), (px, py), True)
        self.applied[0] += fx
        self.applied[1] += fy
        self.applied[2] += (px - self.cx) * fy - (py - self.cy) * fx


def apply_water_forces_loop(
    immersed: Sequence[Immersed], water: WaterBox
) -> dict[Any, tuple[float, float, float]]:
    """The same forces, one polygon and one edge at a time, each applied at its point.

    Returns ``{body: (fx, fy, torque about the centre of mass)}`` of what was applied.
    """
    totals: dict[Any, tuple[float, float, float]] = {}
    rho, g = water.density, water.gravity
    for item in immersed:
        body = item.body
        centre = body.worldCenter
        cx, cy = centre[0], centre[1]
        applied = [0.0, 0.0, 0.0]
        push_at = _Applier(body, cx, cy, applied)

        position, angle = body.position, body.angle
        cos, sin = math.cos(angle), math.sin(angle)
        polygon = [
            (position[0] + cos * x - sin * y, position[1] + sin * x + cos * y)
            for x, y in item.local.tolist()
        ]
        for axis, bound, below in _box_sides(water):
            polygon = _clip_loop(polygon, axis, bound, below)
        if not polygon:
            continue
        area = 0.0
        sx = sy = 0.0
        for i, (ax, ay) in enumerate(polygon):
            bx, by = polygon[(i + 1) % len(polygon)]
            c = ax * by - ay * bx
            area += 0.5 * c
            sx += c * (ax + bx) / 6.0
            sy += c * (ay + by) / 6.0
        if area > _EPSILON:
            sx, sy = sx / area, sy / area
        else:
            area = 0.0
        push_at(0.0, rho * area * g, sx, sy)
        motors = []
        for joint in item.motors:
            if joint.lowerLimit < joint.angle < joint.upperLimit:
                anchor = joint.anchorB
                motors.append((joint.GetMotorTorque(MOTOR_INV_DT), anchor[0], anchor[1]))
        vx, vy, omega = body.linearVelocity[0], body.linearVelocity[1], body.angularVelocity
        spin_inertia = body.inertia * omega
        for i, (ax, ay) in enumerate(polygon):
            bx, by = polygon[(i + 1) % len(polygon)]
            mx, my = 0.5 * (ax + bx), 0.5 * (ay + by)
            ux, uy = vx - omega * (my - cy), vy + omega * (mx - cx)
            speed = math.hypot(ux, uy)
            if speed >= _EPSILON:
                ux, uy = ux / speed, uy / speed
            else:
                speed = 0.0
            ex, ey = bx - ax, by - ay
            length = math.hypot(ex, ey)
            if length >= _EPSILON:
                ex, ey = ex / length, ey / length
            else:
                length = 0.0
            nx, ny = ey, -ex
            drag_dot = nx * ux + ny * uy
            if drag_dot >= 0:
                base = length * rho * speed * speed
                drag = min(drag_dot * DRAG * base, MAX_DRAG)
                push_at(-drag * ux, -drag * uy, mx, my)
                lift = min(drag_dot * (ex * ux + ey * uy) * LIFT * base, MAX_LIFT)
                push_at(-lift * uy, lift * ux, mx, my)
            for tau, px, py in motors:
                lx, ly = cx - px, cy - py
                fx, fy = -tau * ly, tau * lx
                push_dot = nx * fx + ny * fy
                if push_dot > 0:
                    spin = tau + spin_inertia
                    magnitude = push_dot * PUSH * length * rho * spin * spin
                    clip_x = min(max(-magnitude * fx, -MAX_PUSH), MAX_PUSH)
                    clip_y = min(max(-magnitude * fy, -MAX_PUSH), MAX_PUSH)
                    push_at(clip_x, clip_y, px, py)
        previous = totals.get(body, (0.0, 0.0, 0.0))
        totals[body] = (
            previous[0] + applied[0],
            previous[1] + applied[1],
            previous[2] + applied[2],
        )
    return totals
