"""Download, checksum and archive helpers for the datasets (torchvision.datasets.utils)."""
import gzip
import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

__all__ = [
    "calculate_md5",
    "check_integrity",
    "check_md5",
    "download_and_extract_archive",
    "download_url",
    "extract_archive",
]

_USER_AGENT = "cresset"


def calculate_md5(fpath, chunk_size=1024 * 1024):
    """MD5 hex digest of the file at fpath, read in chunks."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True when fpath is a file and, if md5 is given, its digest matches."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Downloads url into root/filename (default: the url's basename) unless a file with the
    right MD5 is already there; the downloaded file's MD5 is checked."""
    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    partial = fpath + ".partial"
    try:
        with urllib.request.urlopen(request, timeout=30) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as error:
        if os.path.exists(partial):
            os.remove(partial)
        raise RuntimeError(
            f"Failed to download {url} ({error}). Without network access, download the file "
            f"yourself and place it at {fpath}") from error
    os.replace(partial, fpath)
    if not check_integrity(fpath, md5):
        raise RuntimeError(f"File not found or corrupted: {fpath} (MD5 expected {md5}).")


def _decompress_gzip(from_path, to_path):
    with gzip.open(from_path, "rb") as src, open(to_path, "wb") as dst:
        shutil.copyfileobj(src, dst)


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extracts a .tar(.gz/.bz2/.xz), .tgz, .zip or single-file .gz archive into to_path
    (default: the archive's folder) and returns to_path."""
    if to_path is None:
        to_path = os.path.dirname(from_path)
    name = os.fspath(from_path)
    if tarfile.is_tarfile(name):
        with tarfile.open(name) as tar:
            tar.extractall(to_path, filter="data")
    elif zipfile.is_zipfile(name):
        with zipfile.ZipFile(name) as archive:
            archive.extractall(to_path)
    elif name.endswith(".gz"):
        _decompress_gzip(name, os.path.join(to_path, os.path.basename(name)[:-3]))
    else:
        raise RuntimeError(f"Archive type of {name} is not supported")
    if remove_finished:
        os.remove(name)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    """download_url followed by extract_archive (into extract_root, default download_root)."""
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    extract_archive(os.path.join(download_root, filename), extract_root, remove_finished)
