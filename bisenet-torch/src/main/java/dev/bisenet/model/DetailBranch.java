package dev.bisenet.model;
import dev.bisenet.spec.Variant;

/** The Detail Branch: wide and shallow, 1/8 resolution, rich spatial detail (paper Table 1). */
public final class DetailBranch extends Chain {

    public DetailBranch(Variant v) {
        int c64 = v.width(64);
        int c128 = v.width(128);
        // S1 | Conv2d k3 c64 s2; Conv2d k3 c64 s1                     -> (N, 64, H/2, W/2)
        addChildBlock("S1", seq(new ConvBNReLU(3, c64, 2), new ConvBNReLU(3, c64, 1)));
        // S2 | Conv2d k3 c64 s2; Conv2d k3 c64 s1 x2                  -> (N, 64, H/4, W/4)
        addChildBlock("S2", seq(new ConvBNReLU(3, c64, 2), new ConvBNReLU(3, c64, 1), new ConvBNReLU(3, c64, 1)));
        // S3 | Conv2d k3 c128 s2; Conv2d k3 c128 s1 x2                -> (N, 128, H/8, W/8)
        addChildBlock("S3", seq(new ConvBNReLU(3, c128, 2), new ConvBNReLU(3, c128, 1), new ConvBNReLU(3, c128, 1)));
    }
}
