package dev.bisenet.export;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How an export is quantized to int8 (QDQ format: QuantizeLinear/DequantizeLinear pairs that ONNX
 * Runtime fuses into integer kernels such as QLinearConv): activation ranges from a
 * {@link Calibration}, the activation type, weight granularity and the parts of the network
 * kept in float32.
 *
 * <p>Weights are always int8, symmetric (zero point 0, range -127..127); conv biases int32 with
 * scale input scale x weight scale, as ONNX Runtime's QDQ fusion expects. Activations are
 * asymmetric, per tensor.
 *
 * @param calibration activation ranges, made by {@link Calibrator} for the same checkpoint
 * @param activations the 8-bit type of activations
 * @param perChannelWeights one weight scale per output channel (axis 0) instead of one per conv
 * @param keepFloat parts of the network left in float32
 */
public record Int8Options(Calibration calibration, Activations activations, boolean perChannelWeights,
        Set<Part> keepFloat) {

    /** The type activations are quantized to. */
    public enum Activations {
        /**
         * uint8 with a zero point: the fast path of ONNX Runtime's x86 kernels (VNNI multiplies
         * u8 by s8); a zero point of 0 after a ReLU also absorbs the ReLU.
         */
        UINT8,
        /** int8 with a zero point; ONNX Runtime on x86 rewrites these pairs to uint8 itself. */
        INT8
    }

    /** Parts of BiSeNetV2 that can be left in float32. */
    public enum Part {
        /** The 3x3 depthwise convs of the GE layers and of BGA. */
        DEPTHWISE,
        /** The segment head's 3x3 conv to 1024 channels (the widest tensor of the network). */
        HEAD,
        /**
         * The class scores: the 1x1 classifier keeps int8 weights and inputs but gives float32
         * scores (a MatMul that ONNX Runtime runs as MatMulIntegerToFloat), not 8-bit ones.
         */
        CLASSIFIER,
        /** BGA's sigmoid gates, their upsampling, products and sum. */
        GATES,
        /** The final bilinear upsampling of the logits (and the argmax over them). */
        OUTPUT
    }

    public Int8Options {
        Objects.requireNonNull(calibration, "calibration");
        Objects.requireNonNull(activations, "activations");
        keepFloat = Collections.unmodifiableSet(keepFloat.isEmpty() ? EnumSet.noneOf(Part.class) : EnumSet.copyOf(keepFloat));
    }

    /**
     * The recommended settings: uint8 activations, per-channel weights, and in float32 the
     * depthwise convs, the class scores and the logits' upsampling.
     *
     * <p>Measured on a CamVid checkpoint (46.94% val mIoU in float32), ONNX Runtime 1.23.2, 2
     * threads of an AVX-512 VNNI CPU, calibrated on 200 training images: 47.42% mIoU, labels equal
     * to float32 on 98.3% of val pixels; 2.6-3.1x the float32 speed at 512x1024 (80-95 ms against
     * 232-248 ms, varying from session to session), 2.6x at 384x480 (34.5 against 88.4 ms).
     * Why each choice:
     * <ul>
     *   <li>depthwise convs: ONNX Runtime's int8 depthwise kernels are slower than its float32
     *       ones here; in float32 the whole model runs 6-10% faster at equal accuracy;
     *   <li>class scores: rounded to 8 bits they flip about 1% of labels (mIoU -0.6); as an
     *       integer product with a float result they cost nothing measurable;
     *   <li>output: upsampling 8-bit logits costs 3 mIoU and saves nothing measurable;
     *   <li>per-channel weights: per tensor, BatchNorm-folded weights lose half the mIoU;
     *   <li>uint8 activations: with int8 ones, ONNX Runtime converts only part of the graph and
     *       runs a third of the convs in float32 (1.5x slower).
     * </ul>
     */
    public static Int8Options of(Calibration calibration) {
        return new Int8Options(calibration, Activations.UINT8, true, EnumSet.of(Part.DEPTHWISE, Part.CLASSIFIER, Part.OUTPUT));
    }

    public Int8Options withActivations(Activations a) {
        return new Int8Options(calibration, a, perChannelWeights, keepFloat);
    }

    public Int8Options withPerChannelWeights(boolean on) {
        return new Int8Options(calibration, activations, on, keepFloat);
    }

    public Int8Options withKeepFloat(Set<Part> parts) {
        return new Int8Options(calibration, activations, perChannelWeights, parts);
    }

    /** A short description for logs and model metadata, such as {@code uint8, per-channel, float32: OUTPUT}. */
    public String describe() {
        return activations.name().toLowerCase(java.util.Locale.ROOT) + " activations, "
                + (perChannelWeights ? "per-channel" : "per-tensor") + " int8 weights"
                + (keepFloat.isEmpty() ? "" : ", float32 " + keepFloat);
    }
}
