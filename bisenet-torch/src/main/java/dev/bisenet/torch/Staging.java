package dev.bisenet.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A direct buffer reused to hand Java arrays to the engine. DJL copies a heap array into a fresh
 * direct buffer on every {@code create}; those are freed only when the garbage collector gets to
 * them, so memory climbs, and fresh pages are slow to touch on these VMs. Here the tensor aliases
 * this buffer instead: it must be closed before the next call refills it. Not thread-safe.
 */
public final class Staging {

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

    /** A uint8 array of {@code shape} over {@code values}, valid until the next call. */
    public NDArray bytes(NDManager nd, byte[] values, Shape shape) {
        ByteBuffer b = reserve(values.length);
        b.put(values).flip();
        return nd.create(b.slice(), shape, DataType.UINT8);
    }
}
