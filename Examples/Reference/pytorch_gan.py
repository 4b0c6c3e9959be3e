"""PyTorch reference for Docs/Evaluation.md: the plain tutorial MLP GAN and DCGAN.

Independent numbers only: nothing in the Swift package, its tests or CI runs this.
Same architectures and setup as GANKit's mnist-gan (preset small) and mnist-dcgan
defaults: BCE with logits, Adam(2e-4, betas (0.5, 0.999)) for both networks,
batch 64, data scaled to [-1, 1], PyTorch's default init for the MLP and
N(0, 0.02) for the DCGAN. Writes N samples as an IDX3 file for gan-eval.

    python3 Examples/Reference/pytorch_gan.py --model mlp --epochs 10 --out /tmp/torch-mlp-10.idx
    swift run -c release gan-eval /tmp/torch-mlp-10.idx
"""
import argparse, gzip, os, struct, time
import numpy as np
import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--model", choices=["mlp", "dcgan"], required=True)
p.add_argument("--epochs", type=int, required=True)
p.add_argument("--out", required=True)
p.add_argument("--samples", type=int, default=10000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--export-at", default="",
               help="comma-separated epochs after which to also write OUT with -eN before .idx")
p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "Data", "MNIST"))
args = p.parse_args()
torch.manual_seed(args.seed)
torch.set_num_threads(args.threads)

with gzip.open(os.path.join(args.data, "train-images-idx3-ubyte.gz")) as f:
    raw = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
data = torch.from_numpy(raw.astype(np.float32) / 127.5 - 1)

if args.model == "mlp":
    G = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    D = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
                      nn.LeakyReLU(0.2), nn.Linear(256, 1))
else:
    G = nn.Sequential(nn.Linear(100, 128 * 7 * 7, bias=False), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
                      nn.Unflatten(1, (128, 7, 7)),
                      nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
                      nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                      nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    def init(m):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0, 0.02)
            if m.bias is not None: nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1, 0.02); nn.init.zeros_(m.bias)
    G.apply(init); D.apply(init)

loss = nn.BCEWithLogitsLoss()
optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
batch = 64
start = time.time()


def export(path):
    """Writes args.samples images from fresh noise as IDX3 unsigned bytes (eval mode, like gan-eval expects)."""
    G.eval()
    with torch.no_grad():
        samples = torch.cat([G(torch.randn(500, 100)) for _ in range((args.samples + 499) // 500)])[:args.samples]
    G.train()
    pixels = ((samples.squeeze(1).numpy() + 1) / 2 * 255).round().clip(0, 255).astype(np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 8, 3) + struct.pack(">III", *pixels.shape) + pixels.tobytes())
    print(f"wrote {path}", flush=True)


export_at = {int(e) for e in args.export_at.split(",") if e}
for epoch in range(args.epochs):
    order = torch.randperm(len(data))
    for i in range(len(data) // batch):
        real = data[order[i * batch:(i + 1) * batch]]
        ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
        optD.zero_grad()
        fake = G(torch.randn(batch, 100))
        lossD = loss(D(real), ones) + loss(D(fake.detach()), zeros)
        lossD.backward(); optD.step()
        optG.zero_grad()
        lossG = loss(D(fake), ones)
        lossG.backward(); optG.step()
        if (i + 1) % 300 == 0:
            print(f"  epoch {epoch + 1} batch {i + 1}: {time.time() - start:.0f} s", flush=True)
    print(f"epoch {epoch + 1}: D {lossD.item():.3f} G {lossG.item():.3f} ({time.time() - start:.0f} s)", flush=True)
    if epoch + 1 in export_at and epoch + 1 != args.epochs:
        export(args.out.replace(".idx", f"-e{epoch + 1}.idx"))

export(args.out)

