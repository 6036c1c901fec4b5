package dev.flotilla.sample.common;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flotilla.core.ServiceContext;
import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * A service's own database: a HikariCP pool on embedded H2 by default, or on PostgreSQL when {@code db.url} is a
 * {@code jdbc:postgresql:} URL. Each service creates its own schema at start-up with {@code CREATE TABLE IF NOT
 * EXISTS}; no table is shared between services.
 *
 * <p>Configuration, under the service's {@code db} key:
 * <table>
 *     <caption>keys</caption>
 *     <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *     <tr><td>{@code db.url}</td><td>{@code jdbc:h2:mem:<service>;DB_CLOSE_DELAY=-1}</td><td>JDBC URL</td></tr>
 *     <tr><td>{@code db.user}, {@code db.password}</td><td>none</td><td>credentials</td></tr>
 *     <tr><td>{@code db.schema}</td><td>the URL's default</td><td>a schema, created if missing</td></tr>
 *     <tr><td>{@code db.pool-size}</td><td>{@code 10}</td><td>largest number of connections</td></tr>
 * </table>
 *
 * <p>Thread-safe.
 */
public final class Database implements AutoCloseable {
    /** The SQLState of a unique or primary key violation, the same on H2 and PostgreSQL: {@value}. */
    public static final String UNIQUE_VIOLATION = "23505";
    /** The default pool size: {@value}. */
    public static final int DEFAULT_POOL_SIZE = 10;
    /** How often the DDL is run on H2 before a start fails. */
    private static final int MIGRATION_ATTEMPTS = 5;

    /** The PostgreSQL advisory lock key held while a service migrates its schema (any constant will do). */
    private static final long MIGRATION_LOCK = 0x666c6f74696c6c61L;
    private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final HikariDataSource pool;
    private final String url;

    private Database(HikariDataSource pool, String url) {
        this.pool = pool;
        this.url = url;
    }

    /**
     * Opens the service's database from its {@code db} configuration, creates the schema with the given
     * statements, and closes the pool when the service stops.
     *
     * @param context the service's context
     * @param schema  DDL statements that are safe to run at every start ({@code CREATE TABLE IF NOT EXISTS})
     * @return the database
     * @throws IllegalArgumentException if {@code db.schema} is not a plain identifier
     * @throws IllegalStateException    if the database cannot be reached or the schema cannot be created
     */
    public static Database open(ServiceContext context, List<String> schema) {
        Objects.requireNonNull(context, "context");
        Database database = context.closeOnStop(open(context.config().get("db"), context.name()));
        database.migrate(schema);
        context.logger().info("Database of {}: {}", context.name(), database.kind());
        return database;
    }

    /**
     * Opens a database from a {@code db} configuration node, outside a service (tests, tools).
     *
     * @param db          the {@code db} node
     * @param serviceName the name used in the default H2 URL and the pool's name
     * @return the database; close it when done
     * @throws IllegalArgumentException if {@code db.schema} is not a plain identifier
     */
    public static Database open(Config db, String serviceName) {
        String url = db.get("url").asString().orElse("jdbc:h2:mem:" + serviceName + ";DB_CLOSE_DELAY=-1");
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(serviceName + "-db");
        hikari.setJdbcUrl(url);
        db.get("user").asString().ifPresent(hikari::setUsername);
        db.get("password").asString().ifPresent(hikari::setPassword);
        hikari.setMaximumPoolSize(db.get("pool-size").asInt().orElse(DEFAULT_POOL_SIZE));
        hikari.setMinimumIdle(1);
        String schema = db.get("schema").asString().orElse(null);
        if (schema != null) {
            if (!SCHEMA_NAME.matcher(schema).matches()) {
                throw new IllegalArgumentException("db.schema must be a plain identifier (letters, digits, '_'), was '"
                                                           + schema + "'");
            }
            // Created before the pool exists, because the pool's connections start in it.
            createSchema(hikari, schema);
            hikari.setSchema(schema);
        }
        return new Database(new HikariDataSource(hikari), url);
    }

    private static void createSchema(HikariConfig hikari, String schema) {
        try (HikariDataSource bootstrap = new HikariDataSource(copyWithoutSchema(hikari));
             Connection connection = bootstrap.getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create schema '" + schema + "' in " + hikari.getJdbcUrl() + ": "
                                                    + e.getMessage(), e);
        }
    }

    private static HikariConfig copyWithoutSchema(HikariConfig source) {
        HikariConfig copy = new HikariConfig();
        copy.setPoolName(source.getPoolName() + "-bootstrap");
        copy.setJdbcUrl(source.getJdbcUrl());
        copy.setUsername(source.getUsername());
        copy.setPassword(source.getPassword());
        copy.setMaximumPoolSize(1);
        return copy;
    }

    /**
     * Runs the DDL in one transaction. On PostgreSQL, instances starting at once on a fresh database would race in
     * {@code CREATE TABLE IF NOT EXISTS} (the loser fails on the catalog's unique key), so the transaction first takes
     * an advisory lock of this database, and the instances migrate one after the other.
     */
    void migrate(List<String> schema) {
        for (int attempt = 1; ; attempt++) {
            try {
                migrateOnce(schema);
                return;
            } catch (IllegalStateException e) {
                // H2: instances in one JVM sharing an in-memory database run their DDL at once, which H2 does not
                // guard (it can fail inside H2). Every statement is safe to run again, so the loser runs it again.
                if (kind().equals("postgresql") || attempt == MIGRATION_ATTEMPTS) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(20L * attempt).toNanos());
            }
        }
    }

    private void migrateOnce(List<String> schema) {
        transaction(connection -> {
            try (Statement statement = connection.createStatement()) {
                if (kind().equals("postgresql")) {
                    statement.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                }
                for (String ddl : schema) {
                    statement.execute(ddl);
                }
            }
            return null;
        });
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws.
     *
     * @param work the work
     * @param <T>  the result type
     * @return the work's result
     * @throws IllegalStateException wrapping an {@link SQLException} (use {@link #isUniqueViolation(Throwable)} to
     *                               tell a duplicate key)
     */
    public <T> T transaction(SqlWork<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Database operation failed: " + e.getMessage(), e);
        }
    }

    /**
     * The pool, for a library that runs its own statements on the service's database (such as a transactional
     * outbox). Do not close it: {@link #close()} does.
     *
     * @return the pooled data source
     */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * Whether a failure (or one of its causes) is a unique-key violation.
     *
     * @param failure the failure
     * @return {@code true} for SQLState {@value #UNIQUE_VIOLATION}
     */
    public static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Which database this is, for logs and health: {@code postgresql} or {@code h2}.
     *
     * @return the kind
     */
    public String kind() {
        return url.startsWith("jdbc:postgresql:") ? "postgresql" : "h2";
    }

    /**
     * A readiness check named {@code database} that runs a trivial query.
     *
     * @return the check
     */
    public HealthCheck healthCheck() {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public String name() {
                return "database";
            }

            @Override
            public HealthCheckResponse call() {
                HealthCheckResponse.Builder response = HealthCheckResponse.builder().detail("kind", kind());
                try (Connection connection = pool.getConnection()) {
                    return response.status(connection.isValid(1)).build();
                } catch (SQLException e) {
                    return response.status(false).detail("error", e.getClass().getName()).build();
                }
            }
        };
    }

    /** Closes the pool. */
    @Override
    public void close() {
        pool.close();
    }
}
