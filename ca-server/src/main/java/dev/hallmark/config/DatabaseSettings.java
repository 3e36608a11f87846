package dev.hallmark.config;

import java.nio.file.Path;

/**
 * The database ({@code database:} in {@code hallmark.yaml}).
 *
 * @param url          JDBC URL: an H2 file ({@code jdbc:h2:file:...}, the embedded default) or PostgreSQL
 * @param user         user name
 * @param passwordFile file holding the password, or null for none
 * @param poolSize     connection pool size
 */
public record DatabaseSettings(String url, String user, Path passwordFile, int poolSize) {
}
