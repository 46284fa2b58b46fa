package dev.bisenet.checkpoint;

/**
 * Pickle opcodes by their names in Python's {@code pickletools}: the subset a {@code torch.save}
 * state_dict uses, which is all that {@link Unpickler} accepts and {@link PthWriter} writes.
 */
final class Opcodes {

    private Opcodes() {}

    static final int PROTO = 0x80; // protocol version (2..5)
    static final int FRAME = 0x95; // protocol 4 frame length: a hint only
    static final int STOP = '.'; // end of the pickle
    static final int GLOBAL = 'c'; // module and name as two text lines
    static final int STACK_GLOBAL = 0x93; // module and name from the stack
    static final int BINPUT = 'q'; // memo[u8] = top
    static final int LONG_BINPUT = 'r'; // memo[u32] = top
    static final int MEMOIZE = 0x94; // memo[len(memo)] = top
    static final int BINGET = 'h'; // push memo[u8]
    static final int LONG_BINGET = 'j'; // push memo[u32]
    static final int MARK = '('; // remember the stack depth
    static final int EMPTY_TUPLE = ')';
    static final int TUPLE = 't'; // tuple of the items above the mark
    static final int TUPLE1 = 0x85;
    static final int TUPLE2 = 0x86;
    static final int TUPLE3 = 0x87;
    static final int EMPTY_LIST = ']';
    static final int LIST = 'l'; // list of the items above the mark
    static final int EMPTY_DICT = '}';
    static final int DICT = 'd'; // dict of the pairs above the mark
    static final int APPEND = 'a';
    static final int APPENDS = 'e';
    static final int SETITEM = 's';
    static final int SETITEMS = 'u';
    static final int BINUNICODE = 'X'; // UTF-8, u32 length
    static final int SHORT_BINUNICODE = 0x8c; // UTF-8, u8 length
    static final int SHORT_BINSTRING = 'U'; // bytes as Latin-1, u8 length
    static final int BINSTRING = 'T'; // bytes as Latin-1, i32 length
    static final int BININT = 'J'; // i32
    static final int BININT1 = 'K'; // u8
    static final int BININT2 = 'M'; // u16
    static final int LONG1 = 0x8a; // two's complement, u8 length
    static final int BINFLOAT = 'G'; // big-endian float64
    static final int NONE = 'N';
    static final int NEWTRUE = 0x88;
    static final int NEWFALSE = 0x89;
    static final int BINPERSID = 'Q'; // persistent id from the stack: a storage reference
    static final int REDUCE = 'R'; // call a (whitelisted) global
    static final int BUILD = 'b'; // set state
}
