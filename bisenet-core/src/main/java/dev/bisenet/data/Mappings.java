package dev.bisenet.data;

import java.util.Arrays;

/** Raw label values to class indices for the presets; -1 marks a value no file should hold. */
final class Mappings {

    private Mappings() {}

    /**
     * Cityscapes labelIds -> trainIds; the other ids 0..33 (void, licence plate, ...) and 255 ->
     * ignore. 34..254 are no Cityscapes id: a file holding them is not a labelIds image.
     */
    static int[] cityscapes() {
        int[] m = new int[256];
        Arrays.fill(m, -1);
        Arrays.fill(m, 0, 34, Preset.IGNORE);
        m[255] = Preset.IGNORE; // licence plate (id -1) as an unsigned byte
        int[] ids = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
        for (int t = 0; t < ids.length; t++) m[ids[t]] = t;
        return m;
    }

    /** Cityscapes labelTrainIds files: already 0..18, 255 ignored; anything else is not a trainIds image. */
    static int[] cityscapesTrainIds() {
        int[] m = new int[256];
        Arrays.fill(m, -1);
        for (int t = 0; t < 19; t++) m[t] = t;
        m[255] = Preset.IGNORE;
        return m;
    }

    /** CamVid (SegNet): 0..10 are classes, 11 is "Unlabelled"; anything above is an error. */
    static int[] camvid() {
        int[] m = new int[256];
        Arrays.fill(m, -1);
        for (int v = 0; v <= 10; v++) m[v] = v;
        m[11] = Preset.IGNORE;
        m[255] = Preset.IGNORE;
        return m;
    }

    /**
     * COCO-Stuff-164k: 182 raw ids minus the 11 never used (ignored), renumbered 0..170; 255
     * unlabelled; 182..254 are no COCO-Stuff id.
     */
    static int[] cocoStuff() {
        int[] m = new int[256];
        Arrays.fill(m, -1);
        Arrays.fill(m, 0, 182, Preset.IGNORE);
        m[255] = Preset.IGNORE;
        int[] unused = {11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90};
        int next = 0;
        for (int v = 0; v < 182; v++) {
            if (Arrays.binarySearch(unused, v) < 0) m[v] = next++;
        }
        return m;
    }

    /** ADE20K: 0 is "other" (ignored), 1..150 -> 0..149. */
    static int[] ade20k() {
        int[] m = new int[256];
        Arrays.fill(m, -1);
        m[0] = Preset.IGNORE;
        for (int v = 1; v <= 150; v++) m[v] = v - 1;
        m[255] = Preset.IGNORE;
        return m;
    }
}
