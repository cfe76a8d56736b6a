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

:class:`WaterForces` computes every edge of every body in the water at once with numpy,
from arrays of fixed shape built when the set of immersed polygons changes: each
polygon's edges in its body's frame, so that a step reads only each body's velocity,
angle and motors from Box2D and applies one force and one torque per body (Box2D sums
them exactly as it sums forces applied at points). A body whose bounding circle lies
inside the water box needs no clipping; otherwise every polygon is clipped with a
vectorised Sutherland-Hodgman step per side of the box that some circle crosses.
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
_MARGIN = 1e-9
"""Metres added to a body's bounding radius, above the rounding of its vertices' positions."""


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
# Each step reads every body's state from Box2D into one (B, C) complex array, one row per
# body; the conjugated columns are in the body's frame. Columns: ``conj`` of the velocity
# of the centre of mass (m/s); the rotation ``cos + i sin``; ``-i`` times the angular
# velocity (rad/s); ``conj(i rho g)`` (N/m^2); then per motor slot k ``conj`` of its push
# direction F_k times its gain, -F_k and ``conj(centre -> anchor)`` (m), the last two in
# the world frame; last, the position of the body's origin (m). Spread over the rows, the
# rotation's line is overwritten with the flow's product.
_VEL, _ROT, _SPIN, _BUOY, _MOTORS, _POSITION = 0, 1, 2, 3, 4, -1
_FLOW = _ROT
_NO_PUSH = (0.0,) * 6
_ZERO = np.array(0.0)
_NEG_CAPS = np.array([-MAX_DRAG, -MAX_LIFT])
_NEG_COEFFICIENTS = np.array([-DRAG, -LIFT])
_add, _multiply, _subtract, _maximum, _minimum, _matmul = (
    np.add,
    np.multiply,
    np.subtract,
    np.maximum,
    np.minimum,
    np.matmul,
)


def _columns(n_motors: int) -> int:
    return _MOTORS + 3 * n_motors + 1


def _edge_geometry(
    a: np.ndarray, b: np.ndarray, owner: np.ndarray, n_polygons: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of the edges ``a -> b`` (E,) of closed polygons (complex metres relative to a
    body's centre of mass) and their polygons ``owner`` (E,): the unit vectors, the
    lengths and the midpoints (E,), and each polygon's area (m^2) and centroid (N,),
    with Box2D's conventions (shorter vectors than its epsilon are not normalised and
    have no length, smaller areas are 0)."""
    edge = b - a
    length = np.abs(edge)
    unit = edge / np.maximum(length, _EPSILON)
    length = np.where(length >= _EPSILON, length, 0.0)
    cross = (np.conj(a) * b).imag  # shoelace terms
    area = 0.5 * np.bincount(owner, cross, n_polygons)
    moment = cross * (a + b) / 6.0
    moment_sum = np.bincount(owner, moment.real, n_polygons) + 1j * np.bincount(
        owner, moment.imag, n_polygons
    )
    big = area > _EPSILON
    centroid = np.where(big, moment_sum / np.where(big, area, 1.0), 0.0)
    return unit, length, 0.5 * (a + b), np.where(big, area, 0.0), centroid


class _Rows:
    """The rows the forces are computed on, how they add up per body, and the buffers
    one computation writes into, with their views. Both are made once: at these sizes
    numpy's cost is per call, so each step is a fixed sequence of calls on whole,
    contiguous arrays.

    Rows are polygon edges (complex metres in the body's frame, relative to its centre
    of mass) and buoyancy rows, one per polygon.

    Attributes:
        body: (R,) each row's body.
        spread: (C, B, R) complex: ``state.T[:, None] @ spread`` spreads each state
            column over the rows of its body, times :attr:`factor` if it is ``None``.
        factor: ``None`` or (C, R) complex, set before :meth:`forces`: for an edge 1 and
            ``conj(midpoint)`` for the velocity and spin, density times length times
            ``e_hat`` (kg/m) for the gains, 1 for the pushes and arms; for a buoyancy
            row the polygon's area (m^2); 0 elsewhere.
        unit: (R,) the unit edge vector ``e_hat`` (0: buoyancy row).
        drag_lift_coef: (R, 2) ``-(DRAG, LIFT) * density * length``.
        point: (R,) where each row's force acts: edge midpoint or polygon centroid.
    """

    def __init__(self, body: np.ndarray, n_bodies: int, n_motors: int) -> None:
        self.body = body
        n_rows, columns = len(body), _columns(n_motors)
        self.spread = np.zeros((columns, n_bodies, n_rows), dtype=np.complex128)
        self.spread[:, body, np.arange(n_rows)] = 1.0
        self.factor: np.ndarray | None = None
        self.unit = np.zeros(n_rows, dtype=np.complex128)
        self.drag_lift_coef = np.zeros((n_rows, 2))
        self.point = np.zeros(n_rows, dtype=np.complex128)
        self.caps = np.tile(_NEG_CAPS, (n_rows, 1))
        self.push_caps = np.full((n_rows, 2), MAX_PUSH)
        self.push_floors = -self.push_caps
        self.sums = np.zeros((n_rows, n_bodies))
        self.sums[np.arange(n_rows), body] = 1.0
        # buffers, and views of them
        self.spread_state = np.empty((columns, 1, n_rows), dtype=np.complex128)
        rows = self.rows = self.spread_state[:, 0]
        self.vel, self.product, self.spin, self.buoy = (
            rows[_VEL],
            rows[_FLOW],
            rows[_SPIN],
            rows[_BUOY],
        )
        self.along = self.product.real
        self.leading = list(rows[_FLOW : columns - 1 : 3].imag)  # the flow's, the gains'
        self.flow = np.empty(n_rows, dtype=np.complex128)
        self.heading = np.empty(n_rows, dtype=np.complex128)
        self.speed = np.empty(n_rows)
        self.lead = np.zeros((1 + n_motors, n_rows), dtype=np.complex128)  # real values
        self.leads = list(self.lead.real)
        self.flow_lead = self.leads[0]
        self.drag_lift = np.empty(n_rows, dtype=np.complex128)
        self.drag_lift_floats = self.drag_lift.view(np.float64).reshape(n_rows, 2)
        self.drag, self.lift = self.drag_lift.real, self.drag_lift.imag
        # out: conj(force), times its point, the pushes, times conj(centre -> anchor)
        self.out = np.zeros((3 + n_motors, n_rows), dtype=np.complex128)
        self.force, self.moments, self.push_moments = self.out[0], self.out[1], self.out[-1]
        self.pushes = [
            (
                self.lead[1 + k],
                rows[_MOTORS + 3 * k + 1],
                rows[_MOTORS + 3 * k + 2],
                self.out[2 + k],
                self.out[2 + k].view(np.float64).reshape(n_rows, 2),
            )
            for k in range(n_motors)
        ]
        self.push_moment = np.empty(n_rows, dtype=np.complex128)
        self.totals = np.empty((3 + n_motors, n_bodies), dtype=np.complex128)
        self.body_force, self.body_moment = self.totals[0], self.totals[1]
        self.body_pushes = list(self.totals[2:-1])
        self.body_push_moment = self.totals[-1]
        self.world_force = np.empty(n_bodies, dtype=np.complex128)
        self.world_floats = self.world_force.view(np.float64).reshape(n_bodies, 2)
        self.moment = np.empty(n_bodies, dtype=np.complex128)
        self.torque = self.moment.imag

    @classmethod
    def of_polygons(
        cls,
        a: np.ndarray,
        b: np.ndarray,
        owner: np.ndarray,
        polygon_body: np.ndarray,
        n_bodies: int,
        n_motors: int,
        density: float,
    ) -> _Rows:
        """Rows of the edges ``a -> b`` (E,) of the polygons ``owner`` (E,) of bodies
        ``polygon_body`` (N,), then one buoyancy row per polygon, with the factors
        folded into :attr:`spread`."""
        n_polygons, n_edges = len(polygon_body), len(a)
        unit, length, mid, area, centroid = _edge_geometry(a, b, owner, n_polygons)
        rows = cls(np.concatenate([polygon_body[owner], polygon_body]), n_bodies, n_motors)
        factor = rows.new_factor(n_edges)
        rows.set_geometry(factor, unit, density * length, mid, area, centroid)
        rows.spread *= factor[:, None, :]
        return rows

    def new_factor(self, n_edges: int) -> np.ndarray:
        """A (C, R) factor with its constant parts set for ``n_edges`` edge rows."""
        factor = np.zeros_like(self.rows)
        factor[_VEL, :n_edges] = 1.0
        factor[_MOTORS + 1 : -1 : 3, :n_edges] = 1.0
        factor[_MOTORS + 2 : -1 : 3, :n_edges] = 1.0
        return factor

    def set_geometry(
        self,
        factor: np.ndarray,
        unit: np.ndarray,
        rho_length: np.ndarray,
        mid: np.ndarray,
        area: np.ndarray,
        centroid: np.ndarray,
    ) -> None:
        """Write the edges' unit vectors, density times length (kg/m) and midpoints
        (M,), then the polygons' areas and centroids, into the rows and ``factor``."""
        n_edges = len(unit)
        factor[_SPIN, :n_edges] = np.conj(mid)
        factor[_MOTORS:-1:3, :n_edges] = rho_length * unit
        factor[_BUOY, n_edges:] = area
        self.unit[:n_edges] = unit
        self.drag_lift_coef[:n_edges] = rho_length[:, None] * _NEG_COEFFICIENTS
        self.point[:n_edges] = mid
        self.point[n_edges:] = centroid

    def forces(self, rotation: np.ndarray) -> tuple[list[Any], list[float]]:
        """Per body, the total force ``[fx, fy]`` (N) and torque (N m about the centre
        of mass) once :attr:`rows` holds the spread state, given the rotations (B,)."""
        if self.factor is not None:
            _multiply(self.rows, self.factor, self.rows)
        flow = _add(self.vel, self.spin, self.flow)  # conj(velocity) at each midpoint
        _multiply(flow, self.unit, self.product)  # |v| (e_hat . v_hat + i n . v_hat)
        # |v| max(n . v_hat, 0), and per motor density * length * gain * max(n . F, 0)
        for leading, lead in zip(self.leading, self.leads, strict=True):
            _maximum(leading, _ZERO, out=lead)
        speed = np.absolute(flow, self.speed)
        heading = np.sign(flow, self.heading)  # conj(v_hat)
        _multiply(self.flow_lead, speed, self.drag)
        _multiply(self.flow_lead, self.along, self.lift)
        drag_lift = _multiply(self.drag_lift_floats, self.drag_lift_coef, self.drag_lift_floats)
        _maximum(drag_lift, self.caps, out=drag_lift)  # -drag, -lift
        force = _multiply(self.drag_lift, heading, self.force)  # conj(force)
        _add(force, self.buoy, force)
        _multiply(force, self.point, self.moments)
        for k, (lead, direction, arm, push, floats) in enumerate(self.pushes):
            _multiply(lead, direction, push)
            _maximum(floats, self.push_floors, out=floats)
            _minimum(floats, self.push_caps, out=floats)
            if k == 0:
                _multiply(arm, push, self.push_moments)
            else:
                _add(self.push_moments, _multiply(arm, push, self.push_moment), self.push_moments)
        _matmul(self.out, self.sums, self.totals)
        # per body: turn the drag, lift and buoyancy into the world frame, add the pushes
        world = np.conjugate(self.body_force, self.world_force)
        _multiply(world, rotation, world)
        for pushes in self.body_pushes:
            _add(world, pushes, world)
        _subtract(self.body_push_moment, self.body_moment, self.moment)
        return self.world_floats.tolist(), self.torque.tolist()


class _SurfaceRows(_Rows):
    """The rows of every polygon clipped to the surface (the one side of the box bodies
    cross in play), computed each step into fixed arrays: each polygon's edges cut to
    their parts under the surface, one edge per polygon along the surface, then one
    buoyancy row per polygon. A Sutherland-Hodgman step on all polygons at once, as
    :func:`_clip_side`."""

    def __init__(self, layout: _Layout) -> None:
        polygon_body, owner = layout.polygon_body, layout.owner
        n_polygons, n_edges = len(polygon_body), len(owner)
        body = np.concatenate([polygon_body[owner], polygon_body, polygon_body])
        _Rows.__init__(self, body, len(layout.bodies), layout.n_motors)
        self.factor = self.new_factor(n_edges + n_polygons)
        self.factor[_ROT] = self.factor[_POSITION] = 1.0  # read before the factor applies
        self.layout, self.n_edges = layout, n_edges
        self.exits = np.zeros((n_polygons, n_edges))  # adds each edge into its polygon
        self.exits[owner, np.arange(n_edges)] = 1.0
        self.edge_owner = np.concatenate([owner, np.arange(n_polygons)])

    def compute(self, columns: np.ndarray, rotation: np.ndarray) -> tuple[list[Any], list[float]]:
        layout, n_edges = self.layout, self.n_edges
        rows = self.rows
        _matmul(columns, self.spread, self.spread_state)
        turn, position = rows[_ROT, :n_edges], rows[_POSITION, :n_edges]
        top = layout.water.top  # signed distances of the edges' ends: inside below 0
        d_a = (position + turn * layout.a_origin).imag - top
        d_b = (position + turn * layout.b_origin).imag - top
        a, b = layout.a, layout.b
        a_in, b_in = d_a < 0, d_b < 0
        crossing = a_in != b_in
        t = np.where(crossing, d_a, 0.0) / np.where(crossing, d_a - d_b, 1.0)
        cut = a + t * (b - a)
        starts = np.concatenate(
            [np.where(a_in, a, cut), self.exits @ np.where(a_in & ~b_in, cut, 0)]
        )
        ends = np.concatenate([np.where(b_in, b, cut), self.exits @ np.where(b_in & ~a_in, cut, 0)])
        unit, length, mid, area, centroid = _edge_geometry(
            starts, ends, self.edge_owner, len(layout.polygon_body)
        )
        assert self.factor is not None
        self.set_geometry(self.factor, unit, layout.water.density * length, mid, area, centroid)
        return self.forces(rotation)


class _Layout:
    """Constant arrays of one set of immersed polygons in one water box, built when the
    set changes, and the state array each step fills.

    Attributes:
        items, ids, water: what the layout was built for.
        bodies: the distinct bodies (B).
        info: per body ``(body, centre of mass (x, y) m in its frame, the box in which
            its origin keeps its bounding circle inside the water and below the surface
            (left, right, bottom, top) m, inertia kg m^2 (about its origin, as Box2D
            reports it), motors ((joint, lower, upper) radians), zeros for its unused
            motor slots)``.
        n_motors: motor slots per body (the most one body has; a body's polygons share
            its motors).
        a, b: (E,) complex edges, body frame relative to the centre of mass (m);
            a_origin, b_origin: the same relative to the body's origin.
        owner: (E,) each edge's polygon; polygon_body: (N,) each polygon's body.
        rows, surface: the rows of the polygons, unclipped and clipped to the surface.
        state: (B, C) complex, the state of the last step.
    """

    def __init__(self, immersed: Sequence[Immersed], water: WaterBox) -> None:
        self.items = list(immersed)
        self.ids = tuple(map(id, self.items))
        self.water = water
        groups: dict[Any, list[Immersed]] = {}  # Box2D wrappers of one body hash alike
        for item in self.items:
            groups.setdefault(item.body, []).append(item)
        self.bodies = list(groups)
        self.n_motors = max(len(item.motors) for item in self.items)
        self.info: list[tuple[Any, ...]] = []
        starts: list[np.ndarray] = []
        centres: list[complex] = []
        owner: list[int] = []
        polygon_body: list[int] = []
        for index, (body, group) in enumerate(groups.items()):
            centre = body.localCenter
            radius = 0.0
            for item in group:
                points = item.local[:, 0] + 1j * item.local[:, 1]
                radius = max(radius, float(np.abs(points).max()) + _MARGIN)
                starts.append(points)
                centres += [complex(centre[0], centre[1])] * len(points)
                owner += [len(polygon_body)] * len(points)
                polygon_body.append(index)
            inner = (
                water.left + radius,
                water.right - radius,
                water.bottom + radius,
                water.top - radius,
            )
            motors = [(joint, joint.lowerLimit, joint.upperLimit) for joint in group[0].motors]
            padding = _NO_PUSH * (self.n_motors - len(motors))
            self.info.append((body, centre[0], centre[1], inner, body.inertia, motors, padding))
        self.local_centre = np.array([complex(x, y) for _, x, y, *_ in self.info])
        self.a_origin = np.concatenate(starts)
        self.b_origin = np.concatenate([np.roll(points, -1) for points in starts])
        self.a = self.a_origin - np.array(centres)
        self.b = self.b_origin - np.array(centres)
        self.owner = np.array(owner, dtype=np.int64)
        self.polygon_body = np.array(polygon_body, dtype=np.int64)
        self.rows = self.rows_of(self.a, self.b, self.owner)
        self.surface = _SurfaceRows(self)
        self.state = np.empty((len(self.bodies), _columns(self.n_motors)), dtype=np.complex128)
        self.state_floats = self.state.view(np.float64).reshape(-1)
        self.columns = self.state.T[:, None, :]
        self.rotation = self.state[:, _ROT]

    def rows_of(self, a: np.ndarray, b: np.ndarray, owner: np.ndarray) -> _Rows:
        return _Rows.of_polygons(
            a, b, owner, self.polygon_body, len(self.bodies), self.n_motors, self.water.density
        )

    def clipped_rows(self, sides: int) -> _Rows:
        """The rows of the polygons clipped to the sides of the water box whose bits
        (in :func:`_box_sides` order) are set in ``sides``, at the poses in
        :attr:`state` (the general case, built anew)."""
        rotation, position = self.state[:, _ROT], self.state[:, _POSITION]
        centre = position + rotation * self.local_centre
        a, b, owner = self.a, self.b, self.owner
        n_polygons = len(self.polygon_body)
        for bit, (axis, bound, keep_below) in enumerate(_box_sides(self.water)):
            if not sides >> bit & 1:
                continue
            body = self.polygon_body[owner]
            ends = []
            for point in (a, b):
                world = centre[body] + rotation[body] * point
                coordinate = world.imag if axis else world.real
                ends.append(coordinate - bound if keep_below else bound - coordinate)
            a, b, owner = _clip_side(a, b, owner, n_polygons, ends[0], ends[1])
        return self.rows_of(a, b, owner)


def _clip_side(
    a: np.ndarray, b: np.ndarray, owner: np.ndarray, n_polygons: int, d_a: Any, d_b: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Sutherland-Hodgman step on every polygon at once.

    ``a -> b`` (E,) are the edges of closed convex polygons (complex, any frame),
    ``owner`` (E,) their polygons, ``d_a`` and ``d_b`` (E,) the signed distances of their
    ends to the side (inside: negative, as in the loop's clip). Each edge is cut to its
    part inside (an edge wholly outside shrinks to a point) and each polygon gains one
    edge along the side, from where its boundary leaves the half-plane to where it comes
    back (the origin, a point, if it does not cross the side). Returns the (E + N,) edges
    and owners: the clipped polygons' edges and edges of zero length.
    """
    a_in, b_in = d_a < 0, d_b < 0
    crossing = a_in != b_in
    t = np.where(crossing, d_a, 0.0) / np.where(crossing, d_a - d_b, 1.0)
    cut = a + t * (b - a)
    leaving, entering = a_in & ~b_in, b_in & ~a_in
    exit_point = np.zeros(n_polygons, dtype=np.complex128)
    entry_point = np.zeros(n_polygons, dtype=np.complex128)
    exit_point[owner[leaving]] = cut[leaving]  # a convex polygon leaves at most once
    entry_point[owner[entering]] = cut[entering]
    return (
        np.concatenate([np.where(a_in, a, cut), exit_point]),
        np.concatenate([np.where(b_in, b, cut), entry_point]),
        np.concatenate([owner, np.arange(n_polygons)]),
    )


def _totals(layout: _Layout) -> tuple[list[Any], list[float]]:
    """Per body of ``layout``: the water's force ``[fx, fy]`` (N) and torque (N m about
    its centre of mass)."""
    weight = layout.water.density * layout.water.gravity  # buoyancy per square metre
    values: list[float] = []
    sides = 0
    cos, sin = math.cos, math.sin
    for body, centre_x, centre_y, inner, inertia, motors, padding in layout.info:
        position, velocity = body.position, body.linearVelocity
        x, y, vx, vy = position.x, position.y, velocity.x, velocity.y
        angle, omega = body.angle, body.angularVelocity
        c, s = cos(angle), sin(angle)
        left, right, bottom, top = inner
        if not (left < x < right and bottom < y):
            sides |= 14  # near a side other than the surface: clip to all three
        if y >= top:
            sides |= 1
        values += (c * vx + s * vy, s * vx - c * vy, c, s, 0.0, -omega, s * weight, -c * weight)
        if motors:
            cx, cy = x + c * centre_x - s * centre_y, y + s * centre_x + c * centre_y
            for joint, lower, upper in motors:
                if lower < joint.angle < upper:
                    tau = joint.GetMotorTorque(MOTOR_INV_DT)
                    anchor = joint.anchorB
                    lx, ly = cx - anchor.x, cy - anchor.y  # anchor -> centre
                    fx, fy = -tau * ly, tau * lx  # (anchor -> centre) x (-tau)
                    spin = tau + inertia * omega
                    gx, gy = PUSH * spin * spin * fx, PUSH * spin * spin * fy
                    values += (c * gx + s * gy, s * gx - c * gy, -fx, -fy, -lx, ly)
                else:
                    values += _NO_PUSH
        values += padding
        values += (x, y)
    layout.state_floats[:] = values
    if sides == 1:  # only the surface
        return layout.surface.compute(layout.columns, layout.rotation)
    rows = layout.rows if not sides else layout.clipped_rows(sides)
    _matmul(layout.columns, rows.spread, rows.spread_state)
    return rows.forces(layout.rotation)


def water_forces(
    immersed: Sequence[Immersed], water: WaterBox
) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """The water's pull on each body touching it, all polygons and edges at once.

    Returns:
        (bodies, forces, torques): the distinct bodies, their total force (b, 2) in N and
        their total torque (b,) in N m about each body's centre of mass.
    """
    if not immersed:
        return [], np.zeros((0, 2)), np.zeros(0)
    layout = _Layout(immersed, water)
    forces, torques = _totals(layout)
    return layout.bodies, np.array(forces).reshape(-1, 2), np.array(torques)


class WaterForces:
    """Applies the vectorised water forces, keeping the arrays of the immersed polygons
    while they and the water stay the same."""

    def __init__(self) -> None:
        self._layout: _Layout | None = None

    def __call__(self, immersed: Sequence[Immersed], water: WaterBox) -> None:
        if not immersed:
            return
        layout = self._layout
        if layout is None or layout.water is not water or layout.ids != tuple(map(id, immersed)):
            layout = self._layout = _Layout(immersed, water)
        forces, torques = _totals(layout)
        for body, force, torque in zip(layout.bodies, forces, torques, strict=True):
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
