package dev.hallmark.authority.testing;

import dev.hallmark.authority.CaException;

/** Assertions on refusals: the kind a call fails with. */
public final class Refusals {
    private Refusals() {
    }

    /** The kind of the {@link CaException} {@code call} throws; fails the test when it throws none. */
    public static CaException.Kind kindOf(Runnable call) {
        try {
            call.run();
        } catch (CaException e) {
            return e.kind();
        }
        throw new AssertionError("expected a CaException, but the call succeeded");
    }
}
