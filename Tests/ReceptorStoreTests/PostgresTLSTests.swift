import Foundation
import XCTest
import ReceptorCore
import ReceptorStorePostgres
@testable import ReceptorStore

/// TLS to PostgreSQL against the private test cluster, which scripts/test-postgres starts with a certificate
/// openssl made for it (signed by a throw-away CA, `ca.crt` beside the server certificate, for 127.0.0.1 and
/// localhost): `sslmode=require` encrypts, `sslmode=verify-full` with `sslrootcert` verifies the certificate
/// and the host, and a certificate that does not verify is one line naming the store, never its password.
final class PostgresTLSTests: StoreTestCase {
    var db: PostgresTestDatabase?
    var opened: [PostgresConfigStore] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        db = try PostgresTestDatabase()
    }

    override func tearDownWithError() throws {
        opened.forEach { $0.close() }
        db?.drop()
        try super.tearDownWithError()
    }

    /// The test database's URI with `query` (TLS parameters) in place of the cluster's own, and optionally
    /// another host name or a password.
    func uri(_ query: String, host: String? = nil, password: String? = nil) throws -> String {
        var components = try XCTUnwrap(URLComponents(string: try XCTUnwrap(db).uri))
        components.percentEncodedQuery = query
        if let host { components.host = host }
        if let password { components.password = password }
        return try XCTUnwrap(components.string)
    }

    /// The cluster's CA: `ca.crt` beside the server certificate the cluster runs with.
    func clusterCA() throws -> String {
        let db = try XCTUnwrap(db)
        XCTAssertEqual(try db.value("SHOW ssl"), "on", "the test cluster has TLS off (scripts/test-postgres start turns it on)")
        let certificate = try db.value("SHOW ssl_cert_file")
        let ca = (certificate as NSString).deletingLastPathComponent + "/ca.crt"
        XCTAssertTrue(FileManager.default.fileExists(atPath: ca), "no CA beside the cluster's certificate \(certificate)")
        return ca
    }

    func open(_ uri: String) throws -> PostgresConfigStore {
        let store = try PostgresConfigStore.open(uri: uri, create: true)
        opened.append(store)
        return store
    }

    /// Whether every session the store has open on the test database is encrypted (and there is one).
    func storeSessionsUseTLS() throws -> Bool {
        let db = try XCTUnwrap(db)
        let counts = try db.value(
            "SELECT count(*) FILTER (WHERE s.ssl) || '/' || count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = '\(db.database)'"
        )
        let parts = counts.split(separator: "/").compactMap { Int($0) }
        return parts.count == 2 && parts[1] > 0 && parts[0] == parts[1]
    }

    /// A write and a read over the connection, so the store is really in use.
    func exercise(_ store: PostgresConfigStore) throws {
        try store.addServer(mbx01, connectors: ConnectorDefaults.setupConnectors(for: mbx01), acceptedDomains: [])
        XCTAssertEqual(try store.connectors(server: "MBX01").count, 5)
    }

    func testRequireEncryptsTheConnection() throws {
        let store = try open(try uri("sslmode=require"))
        try exercise(store)
        XCTAssertTrue(try storeSessionsUseTLS(), "the store's session is not encrypted")
        // The cluster's own URI (sslmode=disable) is plain text: the check above can tell.
        store.close()
        let plain = try open(try XCTUnwrap(db).uri)
        XCTAssertEqual(try plain.connectors(server: "MBX01").count, 5)
        XCTAssertFalse(try storeSessionsUseTLS(), "a sslmode=disable session counted as encrypted")
    }

    func testVerifyFullWithTheClusterCAOnTheAddressAndTheName() throws {
        let ca = try clusterCA()
        let byAddress = try open(try uri("sslmode=verify-full&sslrootcert=\(ca)"))
        try exercise(byAddress)
        XCTAssertTrue(try storeSessionsUseTLS())
        byAddress.close()
        // By name: the certificate's DNS name (and SNI) rather than its IP address.
        let byName = try open(try uri("sslmode=verify-full&sslrootcert=\(ca)", host: "localhost"))
        XCTAssertEqual(try byName.connectors(server: "MBX01").count, 5)
        XCTAssertTrue(try storeSessionsUseTLS())
    }

    func testAWrongCAIsOneLineNamingTheStoreWithoutThePassword() throws {
        _ = try clusterCA()
        // Another CA, made the way the cluster's was: it never signed the server's certificate.
        let wrongCA = folder.appendingPathComponent("wrong-ca.crt").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-days", "1",
            "-subj", "/CN=Not the cluster's CA", "-keyout", folder.appendingPathComponent("wrong-ca.key").path, "-out", wrongCA,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0, "openssl made no CA")

        let secret = try uri("sslmode=verify-full&sslrootcert=\(wrongCA)", password: "s3cret-pw")
        let error = storeError { _ = try PostgresConfigStore.open(uri: secret, create: true) }
        let text = error?.description ?? ""
        XCTAssertFalse(text.contains("\n"), "more than one line: \(text)")
        XCTAssertFalse(text.contains("s3cret-pw"), text)
        XCTAssertTrue(text.contains(PostgresLocation.redacted(secret)), "the store is not named: \(text)")
        XCTAssertTrue(text.contains("certificate"), "the line does not say the certificate failed to verify: \(text)")
        XCTAssertTrue(text.contains(wrongCA), "the line does not name the sslrootcert it tried: \(text)")
        // Nothing was written: the database is still empty (no schema).
        XCTAssertEqual(try XCTUnwrap(db).value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", onTestDatabase: true), "0")
    }
}

extension PostgresTestDatabase {
    /// One value from a query (psql -tA), on the admin database or the test's own.
    func value(_ sql: String, onTestDatabase: Bool = false) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", onTestDatabase ? uri : adminURI, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql]
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw StoreError.database("psql failed: \(sql)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
