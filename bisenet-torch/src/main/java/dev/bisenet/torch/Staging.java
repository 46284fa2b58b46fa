package dev.bisenet.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A direct buffer reused to hand Java arrays to the engine. DJL copies a heap array into a fresh
 * direct buffer on every {@code create}; those are freed only when the garbage collector gets to
 * them, so memory climbs, and fresh pages are slow to touch on these VMs. Here the tensor aliases
 * this buffer instead: it must be closed before the next call refills it. Not thread-safe.
 */
public final class Staging {

    /**
     * Whether {@link #images} lays batches out channels-last: on unless
     * {@code -Dbisenet.channelsLast=false}, which restores (N, C, H, W) memory for side-by-side
     * timing (docs/benchmarks.md, "Channels-last"). Training and BatchNorm recomputation use it;
     * inference does not: there it measured level for the network alone and slower with the
     * logits copied out, which then need a reorder back to (N, C, H, W).
     */
    public static final boolean CHANNELS_LAST = !"false".equals(System.getProperty("bisenet.channelsLast"));

    private ByteBuffer buffer;

    private ByteBuffer reserve(long bytes) {
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        }
        ByteBuffer view = buffer.duplicate().order(ByteOrder.nativeOrder());
        view.clear().limit(Math.toIntExact(bytes));
        return view;
    }

    /** A float32 array of {@code shape} over {@code values}, valid until the next call. */
    public NDArray floats(NDManager nd, float[] values, Shape shape) {
        ByteBuffer b = reserve(4L * values.length);
        b.asFloatBuffer().put(values);
        return nd.create(b.slice().order(ByteOrder.nativeOrder()), shape, DataType.FLOAT32);
    }

    /** A batch of images, (N, C, H, W) values in that order: {@link #floatsChannelsLast} unless switched off. */
    public NDArray images(NDManager nd, float[] nchw, int n, int c, int h, int w) {
        return CHANNELS_LAST ? floatsChannelsLast(nd, nchw, n, c, h, w) : floats(nd, nchw, new Shape(n, c, h, w));
    }

    /**
     * A float32 (N, C, H, W) array over {@code nchw} (values in that order) whose memory is laid
     * out channels-last (N, H, W, C): a permuted view, valid until the next call. Convolutions
     * given such an input run oneDNN's channels-last kernels and hand the layout on to the next
     * layer, so the network skips most of the reorders between plain and blocked layouts that it
     * pays on (N, C, H, W) memory (docs/benchmarks.md, "Channels-last").
     */
    public NDArray floatsChannelsLast(NDManager nd, float[] nchw, int n, int c, int h, int w) {
        int plane = h * w;
        if (nchw.length != (long) n * c * plane) {
            throw new IllegalArgumentException(nchw.length + " values for (" + n + ", " + c + ", " + h + ", " + w + ")");
        }
        ByteBuffer b = reserve(4L * nchw.length);
        FloatBuffer t = b.asFloatBuffer(); // written in (N, H, W, C) order straight into the staged memory
        for (int i = 0; i < n; i++) {
            int base = i * c * plane;
            for (int ch = 0; ch < c; ch++) {
                int src = base + ch * plane;
                for (int p = 0, dst = base + ch; p < plane; p++, dst += c) {
                    t.put(dst, nchw[src + p]);
                }
            }
        }
        NDArray nhwc = nd.create(b.slice().order(ByteOrder.nativeOrder()), new Shape(n, h, w, c), DataType.FLOAT32);
        NDArray view = nhwc.transpose(0, 3, 1, 2);
        nhwc.close();
        return view;
    }

    /** A uint8 array of {@code shape} over {@code values}, valid until the next call. */
    public NDArray bytes(NDManager nd, byte[] values, Shape shape) {
        ByteBuffer b = reserve(values.length);
        b.put(values).flip();
        return nd.create(b.slice(), shape, DataType.UINT8);
    }
}
