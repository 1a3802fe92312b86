#!/usr/bin/env bash
# The main job on the embedded default: build a real sample collection that installs
# offline, index it with the default model (EfficientNet-Lite0, run by ONNX Runtime)
# and print and save neighbour results. Outputs go to demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV=${LOOKALIKE_VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"
PY=python

"$PY" scripts/demo_data.py demo-data
mkdir -p demo-output
lookalike index demo-data --collection demo-collection
lookalike info demo-collection
lookalike neighbors demo-collection demo-data/mate/nature/LadyBird.jpg -k 9 --out demo-output/neighbors-ladybird.png
lookalike neighbors demo-collection demo-data/mate/abstract/Elephants.jpg -k 5 --out demo-output/neighbors-elephants.csv
"$PY" -c "from PIL import Image; Image.open('demo-data/photos/coffee.png').rotate(8).save('demo-output/query.jpg')"
lookalike neighbors demo-collection --query demo-output/query.jpg -k 5
# The other capabilities on the same collection. derivatives/ holds real near-duplicates
# (resized, re-compressed, cropped, rotated) and one exact copy, listed apart.
lookalike duplicates demo-collection --out demo-output/duplicates.csv --groups-out demo-output/duplicate-sets.csv
lookalike thresholds demo-collection --out demo-output/threshold-bands.png
lookalike path demo-collection demo-data/photos/motorcycle_left.png demo-data/photos/chelsea.png --smooth --out demo-output/path.png
lookalike graph demo-collection --seed demo-data/photos/chelsea.png --depth 3 -k 5 --out demo-output/graph.graphml
lookalike draw demo-output/graph.graphml --out demo-output/graph.png
lookalike representatives demo-collection -k 10 --out demo-output/representatives.png
lookalike map demo-collection --method pca --clusters 6 --highlight demo-data/photos/chelsea.png --neighbors 4 --out demo-output/map.png
echo "demo: outputs in demo-output/ (serve it with: lookalike serve demo-collection)"
