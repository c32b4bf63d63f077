"""The reference: pytorch/examples' DCGAN training loop (dcgan/main.py) in Python, at 64x64 RGB,
batch 64, with the data set in memory. Prints one JSON line: images/s (median over windows after
warm-up) and peak RSS. Run with Debian's /usr/bin/python3 (python3-torch) on the CPU, or with a
CUDA build of torch and --device cuda [--amp bf16].

On CUDA each window is timed between torch.cuda.synchronize() calls; cuDNN benchmarking is on, as
in dcgan/main.py (and synthgen's run.cudnn_benchmark default). --amp bf16 runs the forward passes
and losses under torch.autocast(dtype=bfloat16), as synthgen's run.precision=bf16 does; bf16 needs
no gradient scaler."""
import argparse
import contextlib
import json
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn as nn


def generator(nz, ngf, nc):
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())


def discriminator(ndf, nc):
    return nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False))


def weights_init(m):
    name = m.__class__.__name__
    if name.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif name.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', required=True, help='.npy uint8 [N, 64, 64, 3]')
    parser.add_argument('--steps', type=int, default=40)
    parser.add_argument('--window', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--device', default='cpu', help='cpu, cuda or cuda:N')
    parser.add_argument('--amp', default='none', choices=['none', 'bf16'], help='autocast dtype')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    cuda = device.type == 'cuda'
    if cuda:
        torch.backends.cudnn.benchmark = True

    def synchronize():
        if cuda:
            torch.cuda.synchronize(device)

    def autocast():
        if args.amp == 'bf16':
            return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    images = torch.from_numpy(np.load(args.data)).permute(0, 3, 1, 2).contiguous()  # uint8 NCHW
    nz = 100
    net_g, net_d = generator(nz, 64, 3).to(device), discriminator(64, 3).to(device)
    net_g.apply(weights_init)
    net_d.apply(weights_init)
    criterion = nn.BCEWithLogitsLoss()  # D ends without Sigmoid, as synthgen's; same math as BCE(sigmoid)
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    order = torch.randperm(images.shape[0])
    position = 0

    window_rates = []
    synchronize()
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        if position + args.batch > order.numel():
            order, position = torch.randperm(images.shape[0]), 0
        # dcgan/main.py's loader gives float batches on the CPU; each goes to the device.
        real = images[order[position:position + args.batch]].float().div_(127.5).sub_(1.0).to(device)
        position += args.batch
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
        net_d.zero_grad()
        with autocast():
            output = net_d(real).view(-1)
            err_d_real = criterion(output, torch.ones_like(output))
        err_d_real.backward()
        noise = torch.randn(args.batch, nz, 1, 1, device=device)
        with autocast():
            fake = net_g(noise)
            output = net_d(fake.detach()).view(-1)
            err_d_fake = criterion(output, torch.zeros_like(output))
        err_d_fake.backward()
        opt_d.step()
        # (2) Update G: maximize log(D(G(z)))
        net_g.zero_grad()
        with autocast():
            output = net_d(fake).view(-1)
            err_g = criterion(output, torch.ones_like(output))
        err_g.backward()
        opt_g.step()
        if step % args.window == 0:
            synchronize()
            now = time.perf_counter()
            window_rates.append(args.window * args.batch / (now - start))
            start = now
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    # The first window includes warm-up (allocator, oneDNN primitive creation, cuDNN's search).
    result = {'images_per_s': statistics.median(window_rates[1:]), 'peak_rss_mb': rss_mb,
              'windows': [round(r, 2) for r in window_rates], 'device': str(device), 'amp': args.amp,
              'torch': torch.__version__}
    if cuda:
        result['peak_cuda_allocated_mb'] = torch.cuda.max_memory_allocated(device) / 2**20
    print(json.dumps(result))


if __name__ == '__main__':
    main()
