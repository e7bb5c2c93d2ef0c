-- The schema as SQLModel.metadata.create_all made it before migrations (commit a071c44), on SQLite: every
-- statement it ran, captured with a before_cursor_execute listener. Frozen: tests/test_migrations.py builds
-- "today's" database from it, with data, and upgrades it. Never regenerate it from newer models.

CREATE TABLE users (
	id INTEGER NOT NULL,
	username VARCHAR(32) NOT NULL,
	username_key VARCHAR(64) NOT NULL,
	password_hash VARCHAR(100) NOT NULL,
	subscription_type VARCHAR(7) NOT NULL,
	language VARCHAR(5),
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_users_username_key ON users (username_key);

CREATE TABLE titles (
	id INTEGER NOT NULL,
	kind VARCHAR(10) NOT NULL,
	title VARCHAR(200) NOT NULL,
	search_key VARCHAR(200) NOT NULL,
	description VARCHAR(2000) NOT NULL,
	year INTEGER NOT NULL,
	genre VARCHAR(40) NOT NULL,
	rating VARCHAR(10) NOT NULL,
	duration_s FLOAT NOT NULL,
	is_premium BOOLEAN NOT NULL,
	poster_path VARCHAR(300) NOT NULL,
	backdrop_path VARCHAR(300) NOT NULL,
	video_sd_path VARCHAR(300) NOT NULL,
	video_hd_path VARCHAR(300) NOT NULL,
	sd_height INTEGER NOT NULL,
	hd_height INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_titles_created ON titles (created_at);

CREATE INDEX ix_titles_year ON titles (year);

CREATE INDEX ix_titles_genre_search ON titles (genre, search_key);

CREATE INDEX ix_titles_search_key ON titles (search_key);

CREATE TABLE login_failures (
	id INTEGER NOT NULL,
	"key" VARCHAR(120) NOT NULL,
	at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_login_failures_key_at ON login_failures ("key", at);

CREATE TABLE auth_sessions (
	token VARCHAR(64) NOT NULL,
	user_id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL,
	PRIMARY KEY (token),
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_auth_sessions_user_id ON auth_sessions (user_id);

CREATE TABLE playback_progress (
	user_id INTEGER NOT NULL,
	title_id INTEGER NOT NULL,
	position_s FLOAT NOT NULL,
	duration_s FLOAT NOT NULL,
	resumable BOOLEAN NOT NULL,
	watched BOOLEAN NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (user_id, title_id),
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE,
	FOREIGN KEY(title_id) REFERENCES titles (id) ON DELETE CASCADE
);

CREATE INDEX ix_progress_user_resumable_updated ON playback_progress (user_id, resumable, updated_at);

CREATE TABLE watch_history (
	id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	title_id INTEGER NOT NULL,
	watched_at DATETIME NOT NULL,
	position_s FLOAT NOT NULL,
	quality VARCHAR(2) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE,
	FOREIGN KEY(title_id) REFERENCES titles (id) ON DELETE CASCADE
);

CREATE INDEX ix_watch_history_title_id ON watch_history (title_id);

CREATE INDEX ix_history_user_watched ON watch_history (user_id, watched_at);

CREATE TABLE playbacks (
	token VARCHAR(64) NOT NULL,
	user_id INTEGER NOT NULL,
	device VARCHAR(64) NOT NULL,
	title_id INTEGER NOT NULL,
	history_id INTEGER,
	quality VARCHAR(2) NOT NULL,
	started_at DATETIME NOT NULL,
	heartbeat_at DATETIME NOT NULL,
	stopped BOOLEAN NOT NULL,
	PRIMARY KEY (token),
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE,
	FOREIGN KEY(title_id) REFERENCES titles (id) ON DELETE CASCADE,
	FOREIGN KEY(history_id) REFERENCES watch_history (id) ON DELETE SET NULL
);

CREATE INDEX ix_playbacks_user_heartbeat ON playbacks (user_id, heartbeat_at);
