"""Distance functions of torch.nn.functional."""
import cresset

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]

cosine_similarity = cresset.cosine_similarity
pairwise_distance = cresset.pairwise_distance
pdist = cresset.pdist


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along dim."""
    if out is None:
        denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
        return input / denom
    denom = input.norm(p, dim, keepdim=True).clamp_min_(eps).expand_as(input)
    return cresset.div(input, denom, out=out)
