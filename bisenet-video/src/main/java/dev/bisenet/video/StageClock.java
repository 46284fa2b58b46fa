package dev.bisenet.video;

/** Busy time and frame count of one pipeline stage; written by that stage's thread only. */
final class StageClock {
    long nanos;
    long count;

    void add(long n) {
        nanos += n;
        count++;
    }

    /** Mean busy milliseconds per frame, NaN before the first frame. */
    double ms() {
        return count == 0 ? Double.NaN : nanos / 1e6 / count;
    }
}
