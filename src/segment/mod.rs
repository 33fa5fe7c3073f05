//! Resume segmentation: sections, subsections (entries) and complexity metrics.
