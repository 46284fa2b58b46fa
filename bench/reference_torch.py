"""Times the reference PyTorch BiSeNetV2 on this machine, for side-by-side comparisons.

The reference implementation is not part of this project: pass the path of a checkout of
CoinCheung/BiSeNet (its lib/models/bisenetv2.py is imported from there; nothing is downloaded).

    python3 reference_torch.py REF_REPO infer H W [RUNS]        eager inference, batch 1, labels (aux_mode='pred')
    python3 reference_torch.py REF_REPO logits H W [RUNS]       eager inference, batch 1, logits (aux_mode='eval')
    python3 reference_torch.py REF_REPO train N H W [STEPS]     training step, booster heads + OHEM
    python3 reference_torch.py REF_REPO export H W OUT.onnx     torch.onnx.export (opset 17, dynamic)

Output lines use the format of `bisenet bench`. REF_HEAD_WIDTH=N builds the main segmentation
head N wide instead of 1024 (as `bisenet bench --head-width N`).
"""
import importlib.util
import os
import sys
import time

import torch


def load_reference(repo):
    models = os.path.join(repo, "lib", "models", "bisenetv2.py")
    src = open(models).read().replace("self.load_pretrain()", "pass")  # no download of backbone weights
    width = os.environ.get("REF_HEAD_WIDTH")
    if width:
        head = "SegmentHead(128, 1024, n_classes"
        if head not in src:
            sys.exit("REF_HEAD_WIDTH: the reference's main head (%s ...) was not found in %s" % (head, models))
        src = src.replace(head, "SegmentHead(128, %d, n_classes" % int(width))
    spec = importlib.util.spec_from_loader("bisenetv2_reference", loader=None)
    mod = importlib.util.module_from_spec(spec)
    exec(compile(src, models, "exec"), mod.__dict__)
    return mod


def ohem_loss(logits, labels, thresh=0.7, ignore=255):
    n_min = labels[labels != ignore].numel() // 16
    loss = torch.nn.functional.cross_entropy(logits, labels, ignore_index=ignore, reduction="none").view(-1)
    hard = loss[loss > -torch.log(torch.tensor(thresh))]
    if hard.numel() < n_min:
        hard, _ = loss.topk(n_min)
    return hard.mean()


def report(label, times, batch):
    times = sorted(times)
    med = times[len(times) // 2] if len(times) % 2 else (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2
    p90 = times[min(len(times) - 1, int(0.9 * len(times) + 0.999) - 1)]
    print("%s batch %d: median %.1f ms, min %.1f ms, p90 %.1f ms, %.1f img/s"
          % (label, batch, med * 1e3, times[0] * 1e3, p90 * 1e3, batch / med))


def main():
    repo, mode = sys.argv[1], sys.argv[2]
    torch.set_num_threads(os.cpu_count())
    ref = load_reference(repo)
    if mode in ("infer", "logits"):
        # 'pred' ends in an argmax over the classes (labels, as `bisenet bench --output labels`);
        # 'eval' returns the logits (as `--output logits`). PyTorch 1.13's argmax alone is a large
        # share of the 'pred' time on CPUs, so compare the network on the logits rows.
        h, w = int(sys.argv[3]), int(sys.argv[4])
        runs = int(sys.argv[5]) if len(sys.argv) > 5 else 20
        net = ref.BiSeNetV2(19, aux_mode="pred" if mode == "infer" else "eval").eval()
        x = torch.randn(1, 3, h, w)
        with torch.no_grad():
            for _ in range(5):
                net(x)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                net(x)
                times.append(time.perf_counter() - t0)
        report("pytorch-eager %s %dx%d (%s)" % (torch.__version__, h, w, "labels" if mode == "infer" else "logits"),
               times, 1)
    elif mode == "train":
        n, h, w = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        steps = int(sys.argv[6]) if len(sys.argv) > 6 else 10
        net = ref.BiSeNetV2(11, aux_mode="train").train()
        wd, nowd, lwd, lnowd = net.get_params()
        opt = torch.optim.SGD([{"params": wd}, {"params": nowd, "weight_decay": 0},
                               {"params": lwd, "lr": 0.1}, {"params": lnowd, "weight_decay": 0, "lr": 0.1}],
                              lr=0.01, momentum=0.9, weight_decay=5e-4)
        g = torch.Generator().manual_seed(0)
        x = torch.randn(n, 3, h, w, generator=g)
        y = torch.randint(0, 11, (n, h, w), generator=g)
        times = []
        for i in range(steps + 3):
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = sum(ohem_loss(o, y) for o in net(x))
            loss.backward()
            opt.step()
            if i >= 3:
                times.append(time.perf_counter() - t0)
        report("pytorch-train %s %dx%d" % (torch.__version__, h, w), times, n)
    elif mode == "export":
        h, w, out = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        net = ref.BiSeNetV2(19, aux_mode="eval").eval()

        class First(torch.nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, x):
                return self.m(x)[0]

        torch.onnx.export(First(net), torch.randn(1, 3, h, w), out, opset_version=17, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "N", 2: "H", 3: "W"},
                                                                 "logits": {0: "N", 2: "H", 3: "W"}})
        print("wrote", out)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
