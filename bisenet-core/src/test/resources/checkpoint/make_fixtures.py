"""Writes the small torch-saved checkpoints the Java reader is tested against.

Run with a Python that has torch (Debian's python3-torch 1.13 made the committed files):
    python3 make_fixtures.py OUT_DIR
Values come from formulas the Java test recomputes: v[i] = (i % 7) - 3 + i / 100.
"""
import collections
import sys

import torch


def ramp(*shape, dtype=torch.float32):
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.float64)
    return ((i % 7) - 3 + i / 100).to(dtype).reshape(shape)


def main(out):
    base = ramp(4, 6)
    sd = collections.OrderedDict()
    sd["conv.weight"] = ramp(2, 3, 3, 3)
    sd["bn.weight"] = ramp(5)
    sd["bn.num_batches_tracked"] = torch.tensor(123, dtype=torch.int64)
    sd["half"] = ramp(3, 2, dtype=torch.float16)
    sd["transposed"] = base.t()              # non-contiguous view, strides (1, 6)
    sd["row2"] = base[2]                     # shares base's storage at offset 12
    sd["base"] = base
    torch.save(sd, f"{out}/plain.pth")

    prefixed = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    torch.save(prefixed, f"{out}/module_prefix.pth")

    nested = {"detail": collections.OrderedDict([("S1.0.conv.weight", ramp(2, 3, 3, 3))]),
              "segment": collections.OrderedDict([("S5_5.bn.running_var", ramp(4))])}
    torch.save(nested, f"{out}/nested.pth")

    wrapped = {"state_dict": collections.OrderedDict([("bn.weight", ramp(5))]), "epoch": 7}
    torch.save(wrapped, f"{out}/wrapped.pth")


if __name__ == "__main__":
    main(sys.argv[1])
