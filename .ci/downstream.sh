#!/usr/bin/env bash
# Builds a throwaway package outside the repo whose Package.swift is the README's,
# verbatim: GANKit cloned into a folder `GANKit` next to the package, depended on
# by path. The package defines a custom layer, trains it for a few steps and runs it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ln -s "$repo" "$work/GANKit"  # the README's layout, whatever this checkout's folder is called
mkdir -p "$work/MyGAN/Sources/MyGAN"
# The ```swift block after the README's <!-- snippet: manifest --> marker.
awk '/<!-- snippet: manifest -->/ { state = 1; next }
     state == 1 && /^```swift/    { state = 2; next }
     state == 2 && /^```/         { exit }
     state == 2                   { print }' "$repo/README.md" > "$work/MyGAN/Package.swift"
if ! grep -q 'name: "MyGAN"' "$work/MyGAN/Package.swift"; then
    echo "downstream: README.md has no Package.swift block for a package MyGAN (<!-- snippet: manifest -->)"
    exit 1
fi
cat > "$work/MyGAN/Sources/MyGAN/main.swift" <<'SWIFT'
import GANKit

/// y = x · scale, one learnable scale per feature.
final class FeatureScale: Layer {
    var isTraining = true
    let scale: Parameter
    var parameters: [Parameter] { [scale] }
    var buffers: [Buffer] { [] }
    private var input = Tensor.empty
    init(features: Int) { scale = Parameter(name: "scale", value: .ones([features])) }
    func forward(_ x: Tensor) -> Tensor {
        input = x
        let s = scale.value
        return Tensor(shape: x.shape) { i in x[flat: i] * s[flat: i % s.count] }
    }
    func backward(_ dy: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        let s = scale.value
        if parameterGradients == .accumulate {
            var g = [Float](repeating: 0, count: s.count)
            for i in 0..<dy.count { g[i % s.count] += dy[flat: i] * input[flat: i] }
            scale.gradient += Tensor(g)
        }
        return Tensor(shape: dy.shape) { i in dy[flat: i] * s[flat: i % s.count] }
    }
    var description: String { "FeatureScale(\(scale.value.count))" }
}

print("backend: \(GANKit.backend)")
let check = GradientCheck.run(FeatureScale(features: 3), inputShape: [4, 3])
precondition(check.passes(), "\(check)")
var rng = SeededGenerator(seed: 1)
let model = Sequential { Dense(3, 8, using: &rng); FeatureScale(features: 8); Tanh(); Dense(8, 1, using: &rng) }
let optimizer = Adam(parameters: model.parameters, learningRate: 0.05)
let x = Tensor.randomNormal([32, 3], using: &rng)
let y = Tensor(shape: [32, 1]) { i in x[i, 0] - 0.5 * x[i, 2] }
var first: Float = 0, last: Float = 0
for step in 0..<60 {
    optimizer.zeroGradients()
    let (loss, gradient) = MeanSquaredError()(model(x), y)
    _ = model.backward(gradient)
    optimizer.step()
    if step == 0 { first = loss }
    last = loss
}
print("loss \(first) -> \(last)")
precondition(last < first * 0.5, "the downstream model did not learn")
SWIFT
cd "$work/MyGAN" && swift run -c debug MyGAN

# The example as a user would take it: mnist-gan/main.swift and the flag parser
# (Examples/ExampleSupport) copied into a new package that depends on GANKit. It
# must train and write the same files, bit for bit, as the repository's own build.
app="$(mktemp -d)"
trap 'rm -rf "$work" "$app"' EXIT
mkdir -p "$app/Sources/mnist-gan" "$app/Sources/ExampleSupport"
cp "$repo/Examples/mnist-gan/main.swift" "$app/Sources/mnist-gan/"
cp "$repo"/Examples/ExampleSupport/*.swift "$app/Sources/ExampleSupport/"
cat > "$app/Package.swift" <<SWIFT
// swift-tools-version: 6.0
import PackageDescription
let package = Package(
    name: "MyGAN",
    dependencies: [.package(name: "GANKit", path: "$repo")],
    targets: [
        .target(name: "ExampleSupport", dependencies: [.product(name: "GANKit", package: "GANKit")]),
        .executableTarget(name: "mnist-gan", dependencies: ["ExampleSupport", .product(name: "GANKit", package: "GANKit")]),
    ]
)
SWIFT
run=(--data "$repo/Examples/Data/MNIST" --epochs 1 --limit 256 --checkpoint-every 2)
(cd "$app" && swift build -c debug --product mnist-gan 2>&1 | tail -1 && .build/debug/mnist-gan "${run[@]}" --out "$app/out" | tail -2)
(cd "$repo" && swift build -c debug --product mnist-gan 2>&1 | tail -1 && .build/debug/mnist-gan "${run[@]}" --out "$app/reference" >/dev/null)
for f in samples/epoch-001.png samples.png losses.png history.csv checkpoint.gankit; do
    [ -s "$app/out/$f" ] || { echo "CI: the copied mnist-gan did not write $f"; exit 1; }
done
cmp "$app/out/checkpoint.gankit" "$app/reference/checkpoint.gankit"
cmp "$app/out/samples.png" "$app/reference/samples.png"
echo "the copied mnist-gan trained and wrote the same checkpoint and grid as the repository's"
