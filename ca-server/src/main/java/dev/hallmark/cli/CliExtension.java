package dev.hallmark.cli;

/**
 * A top-level verb contributed by a module the CLI does not depend on (the ACME verbs live with the ACME server in
 * {@code protocols/}). Found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.hallmark.cli.CliExtension}); the object is a picocli {@code @Command}.
 */
public interface CliExtension {
    /** A new instance of the picocli command object. */
    Object command();
}
