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
    """Arrays of one set of immersed polygons, rebuilt when the set changes.

    Points are complex numbers (x + iy). Each polygon's vertices are padded by repeating
    its last vertex, so padding adds only zero-length edges and zero-area triangles and
    no mask is needed. The edges, lengths, midpoints, area and centroid of each whole
    polygon in its body's frame (relative to the body's centre of mass) are kept too:
    a polygon wholly under water needs only to be rotated.
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
        n, width = len(self.items), max(len(item.local) for item in self.items)
        local = np.empty((n, width), dtype=np.complex128)
        for i, item in enumerate(self.items):
            k = len(item.local)
            local[i, :k] = item.local[:, 0] + 1j * item.local[:, 1]
            local[i, k:] = local[i, k - 1]
        self.local = local
        self.following = np.roll(np.arange(width), -1)
        centres = np.array([complex(*b.localCenter) for b in self.bodies])
        self.centre = centres if self.one_per_body else centres[self.body_of]
        shape = _Shape(local, self.following, self.centre[:, None])
        self.edge, self.length, self.mid, self.area, self.centroid = (
            shape.unit,
            shape.length,
            shape.mid,
            shape.area,
            shape.centroid,
        )
        self.n_motors = max(len(item.motors) for item in self.items)
        self.motors = [
            [
                (i, item.motors[k], item.motors[k].lowerLimit, item.motors[k].upperLimit)
                for i, item in enumerate(self.items)
                if k < len(item.motors)
            ]
            for k in range(self.n_motors)
        ]
        inertia = np.array([b.inertia for b in self.bodies])
        self.inertia = inertia if self.one_per_body else inertia[self.body_of]


class _Shape:
    """Edge unit vectors and lengths, edge midpoints, area and centroid of padded complex
    polygons; midpoints and centroid relative to ``origin`` (Box2D's conventions: vectors
    shorter than its epsilon are not normalised, areas below it are 0)."""

    def __init__(self, points: np.ndarray, following: np.ndarray, origin: Any) -> None:
        ahead = points[:, following]
        edge = ahead - points
        length = np.abs(edge)
        self.unit = edge / np.maximum(length, _EPSILON)
        self.length = np.where(length >= _EPSILON, length, 0.0)
        self.mid = 0.5 * (points + ahead) - origin
        cross = (np.conj(points) * ahead).imag
        area = 0.5 * cross.sum(axis=1)
        moment = (cross * (points + ahead)).sum(axis=1) / 6.0
        big = area > _EPSILON
        self.area = np.where(big, area, 0.0)
        self.centroid = np.where(big, moment / np.where(big, area, 1.0), moment) - origin[:, 0]


def _clip_rows(points: np.ndarray, rows: np.ndarray, water: WaterBox) -> np.ndarray:
    """``points`` (complex, padded) with the polygons of ``rows`` clipped to the water box
    (Sutherland-Hodgman, in plain Python: only the few polygons across a side need it);
    returned padded to a common width."""
    clipped = {}
    for row in rows.tolist():
        polygon = [(p.real, p.imag) for p in points[row].tolist()]
        for axis, bound, below in _box_sides(water):
            polygon = _clip_loop(polygon, axis, bound, below)
        clipped[row] = polygon or [(0.0, 0.0)]
    width = max(points.shape[1], *(len(p) for p in clipped.values()))
    out = np.empty((points.shape[0], width), dtype=np.complex128)
    out[:, : points.shape[1]] = points
    out[:, points.shape[1] :] = points[:, -1:]
    for row, polygon in clipped.items():
        values = [complex(x, y) for x, y in polygon]
        out[row, : len(values)] = values
        out[row, len(values) :] = values[-1]
    return out


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
    rows = []
    for body in bodies:
        p, v, angle = body.position, body.linearVelocity, body.angle
        rows.append(
            (
                complex(p.x, p.y),
                complex(math.cos(angle), math.sin(angle)),
                complex(v.x, v.y),
                1j * body.angularVelocity,
            )
        )
    state = np.array(rows)
    if not layout.one_per_body:
        state = state[layout.body_of]
    position, rotation, velocity, spin = state.T
    turning = rotation[:, None]
    points = position[:, None] + turning * layout.local
    centre = position + rotation * layout.centre
    xs, ys = points.real, points.imag
    if (
        ys.max() >= water.top
        or xs.min() <= water.left
        or xs.max() >= water.right
        or (ys.min() <= water.bottom)
    ):  # some polygons cross a side: clip them and work in the world frame
        outside = (
            (ys.max(axis=1) >= water.top)
            | (xs.min(axis=1) <= water.left)
            | (xs.max(axis=1) >= water.right)
            | (ys.min(axis=1) <= water.bottom)
        )
        clipped = _clip_rows(points, np.flatnonzero(outside), water)
        shape = _Shape(clipped, np.roll(np.arange(clipped.shape[1]), -1), centre[:, None])
        unit, length, mid = shape.unit, shape.length, shape.mid
        area, centroid = shape.area, shape.centroid
    else:  # every polygon wholly in the water: rotate its body-frame shape
        unit, length, mid = turning * layout.edge, layout.length, turning * layout.mid
        area, centroid = layout.area, rotation * layout.centroid
    rho = water.density
    ones = np.ones(unit.shape[1])
    # drag and lift per edge, at its midpoint: v = v_body + omega x r
    flow = velocity[:, None] + spin[:, None] * mid
    speed = np.abs(flow)
    heading = flow / np.maximum(speed, _EPSILON)
    turn = np.conj(heading) * unit  # real part: e . v_hat; imaginary: n . v_hat, n outward
    scaled = np.maximum(turn.imag, 0.0) * (rho * length * speed * speed)  # leading edges
    drag = np.minimum(DRAG * scaled, MAX_DRAG)
    lift = np.minimum(LIFT * scaled * turn.real, MAX_LIFT)
    force = (1j * lift - drag) * heading  # against the flow, and across it
    buoyancy = (rho * water.gravity) * area
    total = force @ ones + 1j * buoyancy
    torque = (np.conj(mid) * force).imag @ ones + centroid.real * buoyancy
    for k in range(layout.n_motors):  # push from the k-th motor of each polygon's body
        tau = np.zeros(len(layout.items))
        anchor = np.zeros(len(layout.items), dtype=np.complex128)
        for i, joint, lower, upper in layout.motors[k]:
            if lower < joint.angle < upper:
                tau[i] = joint.GetMotorTorque(MOTOR_INV_DT)
                point = joint.anchorB
                anchor[i] = complex(point.x, point.y)
        lever = centre - anchor  # anchor -> centre
        arm = 1j * tau * lever  # lever x (-tau)
        angular = tau + layout.inertia * spin.imag
        gain = (PUSH * rho) * angular * angular
        # n . F per edge (n = -i e outward), then the push of the pushing edges
        magnitude = np.maximum((unit * np.conj(arm)[:, None]).imag, 0.0) * length * gain[:, None]
        push = (-magnitude[:, :, None] * arm.view(np.float64).reshape(-1, 1, 2)).clip(
            -MAX_PUSH, MAX_PUSH
        )
        at_anchor = push.sum(axis=1) @ np.array([1.0, 1j])
        total += at_anchor
        torque -= (np.conj(lever) * at_anchor).imag
    if layout.one_per_body:
        return bodies, np.stack([total.real, total.imag], axis=1), torque
    b = len(bodies)
    forces = np.stack(
        [np.bincount(layout.body_of, total.real, b), np.bincount(layout.body_of, total.imag, b)],
        axis=1,
    )
    return bodies, forces, np.bincount(layout.body_of, torque, b)


class WaterForces:
    """Applies the vectorised water forces, keeping the polygon arrays while the set of
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
        position, angle = body.position, body.angle
        cos, sin = math.cos(angle), math.sin(angle)
        lx, ly = body.localCenter
        cx, cy = position[0] + cos * lx - sin * ly, position[1] + sin * lx + cos * ly
        applied = [0.0, 0.0, 0.0]
        push_at = _Applier(body, cx, cy, applied)
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
