"""How ``pump_failures.csv`` (the demo's bundled data) was generated; rerun to reproduce it.

Sensor readings from 1000 pumps, each logged in its raw unit: pressure in pascal,
shaft speed in rpm, flow in ml/min, temperature in millikelvin, vibration in
micrometres, supply voltage in millivolts. Every column carries a large offset and a
small spread, as raw instrument logs do. ``failed`` (1 for about a third of the
pumps) depends on the standardized readings through a logistic model, so the
signal is there for any model that looks at the deviations rather than the offsets.

    python -m fitdoctor.examples.make_pump_failures
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

COLUMNS = ["pressure_pa", "shaft_rpm", "flow_ml_min", "temperature_mk", "vibration_um", "supply_mv"]
OFFSETS = np.array([101325.0, 48000.0, 82000.0, 318000.0, 3000.0, 24000.0])
SPREADS = np.array([30.0, 20.0, 40.0, 300.0, 3.0, 15.0])
WEIGHTS = np.array([1.5, -1.2, 1.0, 0.8, -0.6, 0.0])


def generate(n: int = 1000, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(COLUMNS)))
    logit = 2.0 * (z @ WEIGHTS - 1.0)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return np.round(OFFSETS + z * SPREADS, 2), y


def main(path: Path = Path(__file__).with_name("pump_failures.csv")) -> None:
    X, y = generate()
    lines = [",".join(COLUMNS + ["failed"])]
    lines += [",".join(f"{v:.2f}" for v in row) + f",{t}" for row, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
