// release-shape-check: feeds Dense(784 → 256) a [4, 100] batch and so must stop
// with the layer's message. `.ci/release-errors.sh` runs it from a `-c release`
// build, where Swift drops a `precondition`'s message, to prove GANKit's shape
// checks still say what went wrong there. Not an example: it exists only to fail.
import GANKit

var rng = SeededGenerator(seed: 0)
let layer = Dense(784, 256, using: &rng)
_ = layer.forward(Tensor(zeros: [4, 100]))
print("release-shape-check: Dense(784 → 256) accepted a [4, 100] input")
