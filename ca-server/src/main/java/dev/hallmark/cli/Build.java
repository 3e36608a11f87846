package dev.hallmark.cli;

/** The software build recorded in every certificate's provenance (RELIABILITY N7). */
final class Build {
    private Build() {
    }

    /** {@code hallmark/<version>} from the jar manifest, or {@code hallmark/dev} when run from classes. */
    static String version() {
        String v = Build.class.getPackage().getImplementationVersion();
        return "hallmark/" + (v == null ? "dev" : v);
    }
}
