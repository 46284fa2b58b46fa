package dev.bisenet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bisenet.util.UserException;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

/** Every preset's class list and label mapping. */
class PresetTest {

    @Test
    void classCountsAndUniqueNames() {
        assertEquals(19, Preset.CITYSCAPES.numClasses());
        assertEquals(11, Preset.CAMVID.numClasses());
        assertEquals(171, Preset.COCO.numClasses());
        assertEquals(150, Preset.ADE20K.numClasses());
        for (Preset p : Preset.values()) {
            assertEquals(p.numClasses(), new HashSet<>(p.classNames()).size(), p + " names are unique");
            assertEquals(p.numClasses(), p.palette().length);
            assertEquals(p, Preset.parse(p.cliName().toUpperCase()));
            assertEquals(p, Preset.byClassCount(p.numClasses()));
        }
        assertNull(Preset.byClassCount(7));
        UserException e = assertThrows(UserException.class, () -> Preset.parse("kitti"));
        assertTrue(e.getMessage().contains("cityscapes, camvid, coco, ade20k"), e.getMessage());
        assertEquals(0x804080, Preset.CITYSCAPES.palette()[0], "road is (128, 64, 128)");
    }

    @Test
    void cityscapesLabelIdsToTrainIds() {
        int[] m = Preset.CITYSCAPES.labelMapping();
        int[][] pairs = {{7, 0}, {8, 1}, {11, 2}, {12, 3}, {13, 4}, {17, 5}, {19, 6}, {20, 7}, {21, 8}, {22, 9},
            {23, 10}, {24, 11}, {25, 12}, {26, 13}, {27, 14}, {28, 15}, {31, 16}, {32, 17}, {33, 18}};
        for (int[] p : pairs) assertEquals(p[1], m[p[0]], "labelId " + p[0]);
        for (int v : new int[] {0, 1, 6, 9, 10, 14, 15, 16, 18, 29, 30, 255}) assertEquals(255, m[v], "labelId " + v);
        for (int v : new int[] {34, 100, 254}) assertEquals(-1, m[v], "no Cityscapes labelId is " + v);
    }

    @Test
    void cocoStuffDropsTheUnusedIds() {
        int[] m = Preset.COCO.labelMapping();
        assertEquals(0, m[0]);
        assertEquals(10, m[10]);
        assertEquals(255, m[11], "street sign is unused");
        assertEquals(11, m[12], "stop sign follows");
        for (int v : new int[] {11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90}) assertEquals(255, m[v], "unused " + v);
        assertEquals(79, m[89], "toothbrush, the last thing");
        assertEquals(80, m[91], "banner, the first stuff class");
        assertEquals(170, m[181], "wood, the last class");
        assertEquals(-1, m[182], "no COCO-Stuff id is 182");
        assertEquals(-1, m[254]);
        assertEquals(255, m[255]);
        assertEquals("banner", Preset.COCO.classNames().get(80));
    }

    @Test
    void ade20kAndCamvid() {
        int[] a = Preset.ADE20K.labelMapping();
        assertEquals(255, a[0]);
        assertEquals(0, a[1]);
        assertEquals(149, a[150]);
        assertEquals(-1, a[151], "values above 150 are not ADE20K labels");
        int[] c = Preset.CAMVID.labelMapping();
        assertEquals(10, c[10]);
        assertEquals(255, c[11], "Unlabelled is ignored");
        assertEquals(-1, c[12]);
    }

    @Test
    void customSpecKeepsIndicesAndIgnore() {
        DatasetSpec s = DatasetSpec.custom(4, 200, null, null, null);
        assertEquals(3, s.mapping()[3]);
        assertEquals(255, s.mapping()[200]);
        assertEquals(-1, s.mapping()[4]);
        assertEquals("class3", s.classNames().get(3));
        assertThrows(UserException.class, () -> DatasetSpec.custom(4, 2, null, null, null));
    }
}
