"""FakeData: random images that repeat per index (torchvision.datasets.FakeData)."""
import cresset
from cresset.vision import transforms
from cresset.vision.datasets.vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """size PIL images of image_size (C, H, W) drawn from randn seeded by index + random_offset,
    with integer targets below num_classes; the global RNG state is left untouched."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        rng_state = cresset.get_rng_state()
        cresset.manual_seed(index + self.random_offset)
        img = cresset.randn(*self.image_size)
        target = cresset.randint(0, self.num_classes, size=(1,), dtype=cresset.long)[0]
        cresset.set_rng_state(rng_state)
        img = transforms.ToPILImage()(img)
        img, target = self._transform_pair(img, target)
        return img, target.item()

    def __len__(self):
        return self.size
