package dev.bisenet.checkpoint;

import static dev.bisenet.checkpoint.Opcodes.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that knows only what a PyTorch state_dict needs. Python's own unpickler can
 * call any function a file names, which makes a {@code .pth} from the internet a code-execution
 * risk; this one has no way to run anything: GLOBAL is checked against a short allowlist,
 * REDUCE builds only an ordered dict or a tensor reference, and every length and index from the
 * file is checked before use.
 *
 * <p>Hand-written because no Java library reads pickles safely: the general ones (e.g. Pyrolite)
 * instantiate registered classes and accept far more than a state_dict needs.
 */
final class Unpickler {

    /** A Python global named by a GLOBAL opcode. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A tuple; a list that cannot change. */
    record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** Python's None (null cannot sit in an ArrayDeque). */
    enum None { NONE }

    /** The persistent id of a storage: which ZIP entry, what type, how many elements. */
    record StorageRef(Tensor.DType dtype, String key, long numel) {}

    /** What {@code torch._utils._rebuild_tensor_v2} would build, not yet materialised. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    static final Set<String> ALLOWED = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter");

    private static final int MAX_STACK = 1 << 20;
    private static final int MAX_MARKS = 1 << 16;
    private static final int MAX_RANK = 16;

    private final ByteBuffer in;
    private final String source;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayDeque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(byte[] data, String source) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /** Reads one pickled object: maps, lists, tuples, strings, numbers, booleans, tensor references. */
    static Object load(byte[] data, String source) {
        return new Unpickler(data, source).run();
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining()) {
                throw bad("the pickle ends without a STOP opcode (truncated file?)");
            }
            int op = in.get() & 0xff;
            switch (op) {
                case PROTO -> {
                    int v = u8();
                    if (v > 5) throw bad("pickle protocol " + v + " is not supported");
                }
                case FRAME -> skip(8); // a length hint only
                case STOP -> {
                    if (stack.size() != 1) throw bad("the pickle stops with " + stack.size() + " objects on the stack");
                    return stack.get(0);
                }
                case GLOBAL -> push(global(line(), line()));
                case STACK_GLOBAL -> {
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m && name instanceof String n)) throw bad("STACK_GLOBAL needs two strings");
                    push(global(m, n));
                }
                case BINPUT -> memo.put((long) u8(), top());
                case LONG_BINPUT -> memo.put(u32(), top());
                case MEMOIZE -> memo.put((long) memo.size(), top());
                case BINGET -> push(memoGet(u8()));
                case LONG_BINGET -> push(memoGet(u32()));
                case MARK -> {
                    if (marks.size() >= MAX_MARKS) throw bad("too many nested MARKs");
                    marks.push(stack.size());
                }
                case EMPTY_TUPLE -> push(new Tuple(List.of()));
                case TUPLE -> push(new Tuple(popToMark()));
                case TUPLE1 -> push(new Tuple(List.of(pop())));
                case TUPLE2 -> {
                    Object b = pop(), a = pop();
                    push(new Tuple(List.of(a, b)));
                }
                case TUPLE3 -> {
                    Object c = pop(), b = pop(), a = pop();
                    push(new Tuple(List.of(a, b, c)));
                }
                case EMPTY_LIST -> push(new ArrayList<>());
                case LIST -> push(new ArrayList<>(popToMark()));
                case EMPTY_DICT -> push(new LinkedHashMap<>());
                case DICT -> push(dictOf(popToMark()));
                case APPEND -> {
                    Object v = pop();
                    list(top()).add(v);
                }
                case APPENDS -> {
                    List<Object> items = popToMark();
                    list(top()).addAll(items);
                }
                case SETITEM -> {
                    Object v = pop(), k = pop();
                    dict(top()).put(key(k), v);
                }
                case SETITEMS -> {
                    List<Object> items = popToMark();
                    Map<Object, Object> d = dict(top());
                    if (items.size() % 2 != 0) throw bad("SETITEMS with an odd number of items");
                    for (int i = 0; i < items.size(); i += 2) d.put(key(items.get(i)), items.get(i + 1));
                }
                case BINUNICODE -> push(utf8(len32()));
                case SHORT_BINUNICODE -> push(utf8(u8()));
                case SHORT_BINSTRING -> push(latin1(u8()));
                case BINSTRING -> push(latin1(len32()));
                case BININT -> push((long) i32());
                case BININT1 -> push((long) u8());
                case BININT2 -> push((long) u16());
                case LONG1 -> push(long1());
                case BINFLOAT -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                case NONE -> push(None.NONE);
                case NEWTRUE -> push(Boolean.TRUE);
                case NEWFALSE -> push(Boolean.FALSE);
                case BINPERSID -> push(persistentId(pop()));
                case REDUCE -> {
                    Object args = pop(), fn = pop();
                    push(reduce(fn, args));
                }
                case BUILD -> { // state on a dict (OrderedDict's __dict__, i.e. _metadata)
                    Object state = pop();
                    if (!(top() instanceof Map)) throw bad("BUILD on a " + typeName(top()) + " is not allowed");
                    if (!(state instanceof Map) && state != None.NONE && !(state instanceof Tuple)) {
                        throw bad("BUILD with a " + typeName(state) + " state is not allowed");
                    }
                }
                default -> throw bad(String.format("opcode 0x%02x at byte %d is not one a state_dict uses; refused",
                        op, in.position() - 1));
            }
        }
    }

    private Global global(String module, String name) {
        String full = module + "." + name;
        if (ALLOWED.contains(full) || (module.equals("torch") && Tensor.DType.ofStorageClass(name) != null)) {
            return new Global(module, name);
        }
        throw new dev.bisenet.util.UserException(source + ": refused global '" + full + "': this file is not a plain"
                + " state_dict; it was not loaded because unpickling it could run code");
    }

    private Object reduce(Object fn, Object args) {
        if (!(fn instanceof Global g) || !(args instanceof Tuple a)) {
            throw bad("REDUCE needs a global and a tuple");
        }
        switch (g.toString()) {
            case "collections.OrderedDict" -> {
                if (a.size() != 0) throw bad("OrderedDict with arguments is not supported");
                return new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4) throw bad(g + " with " + a.size() + " arguments");
                if (!(a.get(0) instanceof StorageRef s)) throw bad(g + " without a storage");
                long offset = asLong(a.get(1));
                long[] size = longs(a.get(2));
                long[] stride = longs(a.get(3));
                if (size.length != stride.length) throw bad("tensor size and stride differ in rank");
                return new TensorRef(s, offset, size, stride);
            }
            case "torch._utils._rebuild_parameter" -> {
                if (a.size() < 1 || !(a.get(0) instanceof TensorRef t)) throw bad("_rebuild_parameter without a tensor");
                return t;
            }
            default -> throw bad("calling " + g + " is not allowed");
        }
    }

    private StorageRef persistentId(Object pid) {
        // ('storage', torch.FloatStorage, '<key>', 'cpu', numel)
        if (!(pid instanceof Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw bad("unknown persistent id " + describe(pid));
        }
        if (!(t.get(1) instanceof Global g) || Tensor.DType.ofStorageClass(g.name()) == null) {
            throw bad("persistent id with storage type " + describe(t.get(1)));
        }
        if (!(t.get(2) instanceof String key) || !key.matches("[A-Za-z0-9_]{1,64}")) {
            throw bad("persistent id with storage key " + describe(t.get(2)));
        }
        long numel = asLong(t.get(4));
        if (numel < 0) throw bad("storage " + key + " has a negative size");
        return new StorageRef(Tensor.DType.ofStorageClass(g.name()), key, numel);
    }

    private long[] longs(Object o) {
        if (!(o instanceof Tuple t)) throw bad("expected a tuple of integers, got " + typeName(o));
        if (t.size() > MAX_RANK) throw bad("tensor of rank " + t.size());
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(t.get(i));
            if (out[i] < 0) throw bad("negative tensor size or stride " + out[i]);
        }
        return out;
    }

    private long asLong(Object o) {
        if (o instanceof Long l) return l;
        throw bad("expected an integer, got " + typeName(o));
    }

    private Map<Object, Object> dictOf(List<Object> items) {
        if (items.size() % 2 != 0) throw bad("DICT with an odd number of items");
        Map<Object, Object> d = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) d.put(key(items.get(i)), items.get(i + 1));
        return d;
    }

    /**
     * A dict key: a scalar. A state_dict's keys are strings; a list key (which Python refuses as
     * unhashable) that contains itself would overflow the stack when hashed (found by review while fuzzing).
     */
    private Object key(Object k) {
        if (k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean || k == None.NONE) {
            return k;
        }
        throw bad("a dict key of type " + typeName(k));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof ArrayList) return (List<Object>) o;
        throw bad("APPEND to a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof Map) return (Map<Object, Object>) o;
        throw bad("SETITEM on a " + typeName(o));
    }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) throw bad("pickle stack grows beyond " + MAX_STACK);
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || (!marks.isEmpty() && stack.size() <= marks.peek())) {
            throw bad("pickle stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.isEmpty()) throw bad("pickle stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark() {
        if (marks.isEmpty()) throw bad("no MARK before a collection opcode");
        int m = marks.pop();
        List<Object> sub = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return Collections.unmodifiableList(sub);
    }

    private Object memoGet(long i) {
        Object o = memo.get(i);
        if (o == null) throw bad("memo index " + i + " was never stored");
        return o;
    }

    private int u8() {
        need(1);
        return in.get() & 0xff;
    }

    private int u16() {
        need(2);
        return in.getShort() & 0xffff;
    }

    private int i32() {
        need(4);
        return in.getInt();
    }

    private long u32() {
        need(4);
        return in.getInt() & 0xffffffffL;
    }

    private int len32() {
        need(4);
        long n = in.getInt() & 0xffffffffL;
        if (n > in.remaining()) throw bad("a string of " + n + " bytes runs past the end of the pickle");
        return (int) n;
    }

    private Long long1() {
        int n = u8();
        if (n > 8) throw bad("an integer of " + n + " bytes is too large");
        byte[] b = bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xff);
        if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // sign
        return v;
    }

    private byte[] bytes(int n) {
        need(n);
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private void skip(int n) {
        need(n);
        in.position(in.position() + n);
    }

    private void need(int n) {
        if (in.remaining() < n) throw bad("the pickle ends in the middle of an opcode (truncated file?)");
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        StringBuilder s = new StringBuilder();
        while (true) {
            need(1);
            byte b = in.get();
            if (b == '\n') return s.toString();
            if (s.length() > 256) throw bad("a GLOBAL name longer than 256 characters");
            s.append((char) (b & 0xff));
        }
    }

    private static String typeName(Object o) {
        return o == null ? "nothing" : o.getClass().getSimpleName();
    }

    /** Scalars as they are, containers by type only: a container may hold itself, and printing it would not end. */
    private static String describe(Object o) {
        if (!(o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean
                || o instanceof Global || o == None.NONE)) {
            return "a " + typeName(o);
        }
        String s = String.valueOf(o);
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private dev.bisenet.util.UserException bad(String what) {
        return new dev.bisenet.util.UserException(source + ": not a valid PyTorch state_dict pickle (" + what + ")");
    }
}
