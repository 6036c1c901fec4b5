package dev.flotilla.sample.common;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.h2.api.Trigger;

/**
 * A fresh in-memory H2 database with a service's schema, for the tests of a repository; and a way to play another
 * transaction committing between two statements of the code under test.
 */
public final class ScratchH2 implements AutoCloseable {
    private final String url;
    private final Database database;

    private ScratchH2(String name, List<String> schema) {
        this.url = "jdbc:h2:mem:" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        this.database = Database.open(Config.just(ConfigSources.create(Map.of("url", url))), name);
        database.migrate(schema);
    }

    /**
     * A new database with the schema applied.
     *
     * @param name   a name for the database and its pool
     * @param schema the DDL statements
     * @return the database
     */
    public static ScratchH2 create(String name, List<String> schema) {
        return new ScratchH2(name, schema);
    }

    /**
     * The database.
     *
     * @return the database
     */
    public Database database() {
        return database;
    }

    /**
     * Once, when the next statement updating {@code table} has run (whatever rows it changed), runs {@code statements}
     * on another connection and commits them: a transaction that commits between that statement and the next one of
     * the same transaction.
     *
     * @param table      the table whose update is the moment
     * @param statements what the other transaction does
     */
    public void commitAfterNextUpdateOf(String table, List<String> statements) {
        database.transaction(connection -> {
            connection.createStatement().execute(
                    "CREATE TABLE scratch_race (ordinal INT PRIMARY KEY, url VARCHAR(300), statement VARCHAR(2000))");
            connection.createStatement().execute("CREATE TABLE scratch_race_fired (fired INT PRIMARY KEY)");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO scratch_race VALUES (?, ?, ?)")) {
                for (int i = 0; i < statements.size(); i++) {
                    insert.setInt(1, i);
                    insert.setString(2, url);
                    insert.setString(3, statements.get(i));
                    insert.executeUpdate();
                }
            }
            return connection.createStatement().execute("CREATE TRIGGER scratch_race_trigger AFTER UPDATE ON "
                    + table + " CALL \"" + CommitsFromAnotherConnection.class.getName() + "\"");
        });
    }

    @Override
    public void close() {
        database.close();
    }

    /** The trigger of {@link #commitAfterNextUpdateOf}: a statement trigger, so it fires when no row changed too. */
    public static final class CommitsFromAnotherConnection implements Trigger {
        @Override
        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            String url = null;
            List<String> statements = new ArrayList<>();
            try (ResultSet row = conn.createStatement().executeQuery(
                    "SELECT url, statement FROM scratch_race ORDER BY ordinal")) {
                while (row.next()) {
                    url = row.getString(1);
                    statements.add(row.getString(2));
                }
            }
            try (Connection other = DriverManager.getConnection(url)) {
                other.setAutoCommit(false);
                try (ResultSet fired = other.createStatement().executeQuery("SELECT 1 FROM scratch_race_fired")) {
                    if (fired.next()) {
                        return;
                    }
                }
                other.createStatement().executeUpdate("INSERT INTO scratch_race_fired VALUES (1)");
                for (String statement : statements) {
                    other.createStatement().executeUpdate(statement);
                }
                other.commit();
            }
        }
    }
}
