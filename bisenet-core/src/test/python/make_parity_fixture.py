#!/usr/bin/env python3
"""Writes the golden logits that the Java parity tests compare against.

The weights come from the closed formula of dev.bisenet.checkpoint.FormulaWeights (repeated
below), the input from FormulaWeights.input; the network is the reference PyTorch model of
CoinCheung/BiSeNet (lib/models/bisenetv2.py) in eval mode. That repository is NOT part of this
project and is not shipped with it: check it out yourself and pass its root folder.

    /usr/bin/python3 src/test/python/make_parity_fixture.py /path/to/BiSeNet \
        src/test/resources/fixtures/bisenetv2_formula_logits_1x19x64x96.npy

Needs torch and numpy (written against torch 1.13). Run it again only if the formula changes.
"""
import argparse
import importlib.util
import math
import os
import sys

import numpy as np
import torch

N, H, W, CLASSES = 1, 64, 96, 19


def key_hash(key):
    return sum((j + 1) * ord(ch) for j, ch in enumerate(key)) % 10007


def formula(key, shape):
    """The tensor FormulaWeights.tensor(key, shape) returns."""
    if key.endswith('.num_batches_tracked'):
        return torch.zeros(shape, dtype=torch.int64)
    n = int(np.prod(shape, dtype=np.int64))
    phase = 0.3 * key_hash(key)
    # math.sin (the C library's) rather than np.sin, whose SIMD version is less exact: it then
    # agrees with Java's StrictMath.sin to the bit for all but a few in 100,000 weights.
    t = 43758.5453 * np.fromiter((math.sin(1.7 * i + phase) for i in range(n)), np.float64, n)
    s = 2.0 * (t - np.floor(t)) - 1.0
    if len(shape) == 4:
        v = math.sqrt(5.0 / (shape[1] * shape[2] * shape[3])) * s
    elif key.endswith('.running_var'):
        v = 0.75 + 0.25 * s
    elif key.endswith('.running_mean') or key.endswith('.bias'):
        v = 0.1 * s
    elif key.endswith('.conv2.1.weight'):
        v = 0.2 + 0.05 * s
    elif key.endswith('.weight'):
        v = 1.0 + 0.25 * s
    else:
        raise ValueError('no formula for ' + key)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def formula_input(n, h, w):
    """FormulaWeights.input(n, h, w)."""
    b, c, y, x = np.meshgrid(np.arange(n), np.arange(3), np.arange(h), np.arange(w), indexing='ij')
    v = np.sin(0.1 * y + 0.13 * x + 1.1 * c + 0.5 * b) + 0.5 * np.cos(0.29 * x - 0.17 * y + 0.4 * c)
    return torch.from_numpy(v.astype(np.float32))


def load_reference(repo):
    path = os.path.join(repo, 'lib', 'models', 'bisenetv2.py')
    if not os.path.isfile(path):
        sys.exit(f'{path} not found: pass the root of a CoinCheung/BiSeNet checkout')
    spec = importlib.util.spec_from_file_location('reference_bisenetv2', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    # The constructor downloads an ImageNet backbone; the formula replaces every weight anyway.
    mod.BiSeNetV2.load_pretrain = lambda self: None
    return mod


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('reference_repo', help='root of a CoinCheung/BiSeNet checkout')
    ap.add_argument('out', help='the .npy file to write')
    args = ap.parse_args()

    mod = load_reference(args.reference_repo)
    net = mod.BiSeNetV2(CLASSES, aux_mode='train')
    reference = net.state_dict()
    sd = {k: formula(k, tuple(v.shape)) for k, v in reference.items()}
    net.load_state_dict(sd, strict=True)
    net.aux_mode = 'eval'
    net.eval()
    with torch.no_grad():
        logits = net(formula_input(N, H, W))[0]
    out = logits.numpy().astype(np.float32)
    assert out.shape == (N, CLASSES, H, W), out.shape
    labels = out.argmax(1)
    print(f'{len(sd)} keys; logits mean {out.mean():.4f} std {out.std():.4f} '
          f'min {out.min():.4f} max {out.max():.4f}; {len(np.unique(labels))} distinct argmax classes')
    np.save(args.out, np.ascontiguousarray(out))


if __name__ == '__main__':
    main()
