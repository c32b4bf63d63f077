"""Helpers for scripts/gpu_check.sh, standard library only (the GPU machine's python3 may lack
numpy). Each subcommand prints one JSON object on stdout, or writes the files it names.

  extract-deb DEB DEST          unpack a .deb's data into DEST (where dpkg-deb is missing)
  ctest-counts LOG              passed/failed/total from ctest's output, even when cut short
  train-rate RUN_DIR            images/s from a run's metrics.jsonl (median of the windows after
                                the first, which holds warm-up)
  sample-rate LOG               images/s that `synthgen sample` reported
  eval-rates LOG                images/s of the feature network per set, from `synthgen eval`
  fashion-folder DIR SPLIT OUT  Fashion-MNIST's SPLIT (train|test) from DIR's .gz files as grey
                                PNG files OUT/00000.png ... (an image folder `synthgen eval` reads)
  combine OUT_JSON KEY=VALUE...  one JSON object: VALUE is @FILE (a JSON file), JSON, or text
  record STATE_DIR STAGE STATUS SECONDS [NOTE]
                                one stage's status line (gpu_check.sh calls it after each stage)
  merge STATE_DIR OUT_JSON      every stage's status and figures into one JSON file
"""
import gzip
import io
import json
import os
import re
import statistics
import struct
import sys
import tarfile
import zlib


def extract_deb(deb, dest):
    """A .deb is an ar archive holding data.tar.{xz,gz,zst}; tarfile reads xz and gz."""
    with open(deb, 'rb') as f:
        if f.read(8) != b'!<arch>\n':
            sys.exit(f'{deb}: not an ar archive')
        while True:
            header = f.read(60)
            if len(header) < 60:
                sys.exit(f'{deb}: no data.tar member')
            name = header[:16].decode().strip().rstrip('/')
            size = int(header[48:58].decode().strip())
            body = f.read(size)
            if size % 2:
                f.read(1)
            if name.startswith('data.tar'):
                with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                    # Debian's packages hold absolute symlinks, which the 'data' filter refuses.
                    if hasattr(tarfile, 'fully_trusted_filter'):
                        tar.extractall(dest, filter='fully_trusted')
                    else:
                        tar.extractall(dest)
                return


def ctest_counts(log):
    """Counts result lines ("12/207 Test  #12: name ....   Passed    1.2 sec"), so a run stopped
    by a timeout still gives what finished."""
    passed, failed, total = 0, [], None
    pattern = re.compile(r'^\s*(\d+)/(\d+)\s+Test\s+#\d+:\s+(.*?)\s+\.*\s*(\*{3}\w+.*|Passed|Not Run.*)\s+[\d.]+\s+sec')
    with open(log, errors='replace') as f:
        for line in f:
            match = pattern.match(line)
            if not match:
                continue
            total = int(match.group(2))
            if match.group(4) == 'Passed':
                passed += 1
            else:
                failed.append(f'{match.group(3)} ({match.group(4).strip("* ")})')
    return {'passed': passed, 'failed': len(failed), 'finished': passed + len(failed), 'total': total,
            'failed_tests': failed}


def train_rate(run_dir):
    rates, steps = [], 0
    with open(os.path.join(run_dir, 'metrics.jsonl')) as f:
        for line in f:
            record = json.loads(line)
            if 'images_per_s' in record:
                rates.append(record['images_per_s'])
                steps = record.get('step', steps)
    if not rates:
        sys.exit(f'{run_dir}/metrics.jsonl holds no images_per_s')
    timed = rates[1:] if len(rates) > 1 else rates
    return {'images_per_s': round(statistics.median(timed), 2), 'windows': [round(r, 2) for r in rates],
            'steps': steps}


def sample_rate(log):
    with open(log, errors='replace') as f:
        for line in f:
            match = re.search(r'wrote (\d+) images and manifest\.csv .*\(([\d.]+) img/s\)', line)
            if match:
                return {'images': int(match.group(1)), 'images_per_s': float(match.group(2))}
    sys.exit(f'{log}: no "wrote N images" line')


def eval_rates(log):
    rates = {}
    with open(log, errors='replace') as f:
        for line in f:
            match = re.search(r'^(\w+): (\d+) images through the network in ([\d.]+) s \(([\d.]+) img/s\)', line)
            if match:
                rates[match.group(1)] = {'images': int(match.group(2)), 'seconds': float(match.group(3)),
                                         'images_per_s': float(match.group(4))}
    return rates


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    magic, count = struct.unpack('>II', data[:8])
    dims = magic & 0xff
    shape = struct.unpack('>' + 'I' * (dims - 1), data[8:4 + 4 * dims]) if dims > 1 else ()
    return count, shape, data[4 + 4 * dims:]


def png_grey(width, height, pixels):
    rows = b''.join(b'\0' + pixels[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))

    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def fashion_folder(folder, split, out):
    prefix = 't10k' if split == 'test' else 'train'
    count, (height, width), pixels = read_idx(os.path.join(folder, f'{prefix}-images-idx3-ubyte.gz'))
    _, _, labels = read_idx(os.path.join(folder, f'{prefix}-labels-idx1-ubyte.gz'))
    if len(labels) != count:
        sys.exit(f'{folder}: {count} images but {len(labels)} labels')
    size = height * width
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, f'{i:05d}.png'), 'wb') as f:
            f.write(png_grey(width, height, pixels[i * size:(i + 1) * size]))
    return {'images': count, 'folder': out}


def combine(out_json, *pairs):
    result = {}
    for pair in pairs:
        key, _, value = pair.partition('=')
        if value.startswith('@'):
            with open(value[1:]) as f:
                result[key] = json.load(f)
        else:
            try:
                result[key] = json.loads(value)
            except ValueError:
                result[key] = value
    with open(out_json, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')


def record(state_dir, stage, status, seconds, note=''):
    with open(os.path.join(state_dir, 'stages.jsonl'), 'a') as f:
        f.write(json.dumps({'stage': stage, 'status': status, 'seconds': round(float(seconds), 1),
                            'note': note}) + '\n')
    return {'stage': stage, 'status': status}


def merge(state_dir, out_json):
    """stages.jsonl gives each stage's status in order; <stage>/figures.json what it measured."""
    result = {}
    meta_path = os.path.join(state_dir, 'meta.json')
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            result.update(json.load(f))
    stages = {}
    with open(os.path.join(state_dir, 'stages.jsonl')) as f:
        for line in f:
            entry = json.loads(line)
            name = entry.pop('stage')
            if not entry['note']:
                entry.pop('note')
            log = os.path.join(os.path.dirname(os.path.abspath(out_json)), 'logs', f'{name}.log')
            if os.path.exists(log):
                entry['log'] = f'logs/{name}.log'
            figures_path = os.path.join(state_dir, name, 'figures.json')
            if os.path.exists(figures_path):
                try:
                    with open(figures_path) as g:
                        entry.update(json.load(g))
                except ValueError as e:
                    entry['figures_error'] = f'{figures_path}: {e}'
            stages[name] = entry
    result['stages'] = stages
    result['all_ok'] = all(s['status'] == 'ok' for s in stages.values())
    text = json.dumps(result, indent=2) + '\n'
    with open(out_json + '.tmp', 'w') as f:
        f.write(text)
    os.replace(out_json + '.tmp', out_json)
    return {'written': out_json, 'all_ok': result['all_ok']}


def run_text(command, timeout=60):
    """stdout of a probe, or None when it is missing, fails or hangs."""
    import subprocess
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


PYTHON_PROBE = """
import json, sys
info = {'python': sys.version.split()[0]}
for name in ('numpy', 'scipy'):
    try:
        info[name] = __import__(name).__version__
    except Exception:
        info[name] = None
try:
    import torch
    info['torch'] = torch.__version__
    info['torch_cuda'] = torch.version.cuda
    info['cuda_available'] = torch.cuda.is_available()
    info['cudnn'] = torch.backends.cudnn.version() if info['cuda_available'] else None
    info['device'] = torch.cuda.get_device_name(0) if info['cuda_available'] else None
    info['cmake_prefix_path'] = torch.utils.cmake_prefix_path
except Exception as e:
    info['torch'] = None
    info['torch_error'] = str(e)[:200]
print(json.dumps(info))
"""


def facts(mode, *pythons):
    """What the machine is: CPU, memory, GPU, driver, tools, and each named python's modules."""
    info = {'mode': mode, 'cores': len(os.sched_getaffinity(0)), 'cpu_count': os.cpu_count()}
    try:
        with open('/proc/cpuinfo') as f:
            info['cpu'] = next((line.split(':', 1)[1].strip() for line in f if line.startswith('model name')), None)
        with open('/proc/meminfo') as f:
            info['memory_gb'] = round(int(f.readline().split()[1]) / 2**20, 1)
        with open('/etc/os-release') as f:
            info['os'] = next((line.split('=', 1)[1].strip().strip('"') for line in f
                               if line.startswith('PRETTY_NAME=')), None)
    except OSError:
        pass
    gpus = run_text(['nvidia-smi', '--query-gpu=name,driver_version,memory.total,compute_cap',
                     '--format=csv,noheader'])
    info['gpus'] = [dict(zip(('name', 'driver', 'memory', 'compute_capability'),
                             [part.strip() for part in line.split(',')])) for line in gpus.splitlines()] if gpus else []
    smi = run_text(['nvidia-smi'])
    match = re.search(r'CUDA Version:\s*([\d.]+)', smi or '')
    info['driver_cuda'] = match.group(1) if match else None
    for tool, command in (('nvcc', ['nvcc', '--version']), ('cmake', ['cmake', '--version']),
                          ('ninja', ['ninja', '--version']), ('cxx', ['c++', '--version']),
                          ('ccache', ['ccache', '--version'])):
        text = run_text(command)
        info[tool] = text.splitlines()[-1 if tool == 'nvcc' else 0].strip() if text else None
    info['pythons'] = {}
    for python in pythons:
        text = run_text([python, '-c', PYTHON_PROBE], timeout=120)
        try:
            info['pythons'][python] = json.loads(text.splitlines()[-1]) if text else None
        except ValueError:
            info['pythons'][python] = None
    return info


def main():
    command, args = sys.argv[1], sys.argv[2:]
    functions = {'extract-deb': extract_deb, 'ctest-counts': ctest_counts, 'train-rate': train_rate,
                 'sample-rate': sample_rate, 'eval-rates': eval_rates, 'fashion-folder': fashion_folder,
                 'combine': combine, 'record': record, 'merge': merge, 'facts': facts}
    if command not in functions:
        sys.exit(f'unknown command {command}; expected one of {", ".join(functions)}')
    result = functions[command](*args)
    if result is not None:
        print(json.dumps(result))


if __name__ == '__main__':
    main()
