package dev.flotilla.sample.user;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;

import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.user.api.UserApi.User;

/** The {@code users} table: plain JDBC that runs on H2 and PostgreSQL. */
final class UserRepository {
    static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS users (
                id    VARCHAR(36)  PRIMARY KEY,
                name  VARCHAR(200) NOT NULL,
                email VARCHAR(320) NOT NULL UNIQUE
            )""");

    private final Database database;

    UserRepository(Database database) {
        this.database = database;
    }

    /** Stores a user; {@code false} when the e-mail is taken. */
    boolean insert(User user) {
        try {
            return database.transaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
                    insert.setString(1, user.id());
                    insert.setString(2, user.name());
                    insert.setString(3, user.email());
                    return insert.executeUpdate() == 1;
                }
            });
        } catch (IllegalStateException e) {
            if (Database.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    Optional<User> find(String id) {
        return database.transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, name, email FROM users WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next()
                            ? Optional.of(new User(row.getString(1), row.getString(2), row.getString(3)))
                            : Optional.empty();
                }
            }
        });
    }
}
