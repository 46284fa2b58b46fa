package dev.bisenet.data;

/** Colours of the presets that have official ones (the others use a generated palette). */
final class Palettes {

    private Palettes() {}

    /** The official Cityscapes colours of the 19 train classes. */
    static final int[] CITYSCAPES = {
        rgb(128, 64, 128), rgb(244, 35, 232), rgb(70, 70, 70), rgb(102, 102, 156), rgb(190, 153, 153),
        rgb(153, 153, 153), rgb(250, 170, 30), rgb(220, 220, 0), rgb(107, 142, 35), rgb(152, 251, 152),
        rgb(70, 130, 180), rgb(220, 20, 60), rgb(255, 0, 0), rgb(0, 0, 142), rgb(0, 0, 70),
        rgb(0, 60, 100), rgb(0, 80, 100), rgb(0, 0, 230), rgb(119, 11, 32)};

    /** The SegNet CamVid colours. */
    static final int[] CAMVID = {
        rgb(128, 128, 128), rgb(128, 0, 0), rgb(192, 192, 128), rgb(128, 64, 128), rgb(60, 40, 222),
        rgb(128, 128, 0), rgb(192, 128, 128), rgb(64, 64, 128), rgb(64, 0, 128), rgb(64, 64, 0), rgb(0, 128, 192)};

    static int rgb(int r, int g, int b) {
        return r << 16 | g << 8 | b;
    }
}
