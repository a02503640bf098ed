using System.Text;
using ChainInterop.Crypto;

namespace ChainInterop.Hosting.Tests;

public sealed class KeyFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_written_key_reads_back_as_the_same_key()
    {
        string path = _directory.File("keys/validator.key");
        using var key = SignatureSchemes.Ed25519.GenerateKey();

        KeyFile.Write(path, key);
        using var read = KeyFile.Read(path);

        Assert.Equal(key.PublicKey, read.PublicKey);
        byte[] message = Encoding.UTF8.GetBytes("settle 100 USD");
        Assert.True(key.PublicKey.Verify(message, read.Sign(message)));
    }

    [Fact]
    public void A_written_key_file_is_the_hex_seed_and_a_newline_readable_by_its_owner_only()
    {
        string path = _directory.File("keys/new/validator.key");
        using var key = SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        KeyFile.Write(path, key);

        Assert.Equal("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
            Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
    }

    [Fact]
    public void Writing_over_an_existing_key_file_is_refused_and_leaves_it_intact()
    {
        string path = _directory.File("validator.key");
        using var first = SignatureSchemes.Ed25519.GenerateKey();
        using var second = SignatureSchemes.Ed25519.GenerateKey();
        KeyFile.Write(path, first);

        Assert.Throws<IOException>(() => KeyFile.Write(path, second));

        using var read = KeyFile.Read(path);
        Assert.Equal(first.PublicKey, read.PublicKey);
    }

    [Fact]
    public void A_P256_key_is_refused_because_the_file_format_is_an_Ed25519_seed()
    {
        using var key = SignatureSchemes.EcdsaP256.GenerateKey();

        Assert.Throws<ArgumentException>(() => KeyFile.Write(_directory.File("p256.key"), key));
        Assert.False(File.Exists(_directory.File("p256.key")));
    }

    [Fact]
    public void The_node_samples_upper_case_key_files_with_white_space_are_read()
    {
        string path = _directory.File("node0.key");
        using var key = SignatureSchemes.Ed25519.ImportPrivateKey(new byte[32]);
        WriteOwnerOnly(path, "  " + Convert.ToHexString(new byte[32]) + "\r\n");

        using var read = KeyFile.Read(path);

        Assert.Equal(key.PublicKey, read.PublicKey);
    }

    [Fact]
    public void A_missing_key_file_throws_naming_the_path()
    {
        string path = _directory.File("absent/validator.key");

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Read(path));

        Assert.Equal(KeyFileProblem.Missing, e.Problem);
        Assert.Equal(path, e.Path);
        Assert.Equal($"Key file {path} does not exist.", e.Message);
    }

    [Theory]
    [InlineData("zz02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", "it holds a character that is not a hex digit")]
    [InlineData("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "it holds 62 characters")]
    [InlineData("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021", "it holds 66 characters")]
    [InlineData("", "it holds 0 characters")]
    public void A_key_file_that_is_not_a_hex_32_byte_seed_throws_naming_the_path(string content, string cause)
    {
        string path = _directory.File("bad.key");
        WriteOwnerOnly(path, content);

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Read(path));

        Assert.Equal(KeyFileProblem.NotASeed, e.Problem);
        Assert.Equal($"Key file {path} does not hold a 32-byte Ed25519 seed as 64 hex digits: {cause}.", e.Message);
    }

    [Fact]
    public void A_key_file_larger_than_the_limit_is_not_read()
    {
        string path = _directory.File("large.key");
        WriteOwnerOnly(path, new string('a', KeyFile.MaxSizeBytes + 1));

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Read(path));

        Assert.Equal(KeyFileProblem.NotASeed, e.Problem);
        Assert.Contains($"larger than {KeyFile.MaxSizeBytes} bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_in_place_of_a_key_file_is_unreadable()
    {
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Read(_directory.Path));

        Assert.Equal(KeyFileProblem.Unreadable, e.Problem);
        Assert.StartsWith($"Key file {_directory.Path} cannot be read", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead, "644")]
    [InlineData(UnixFileMode.GroupRead, "640")]
    [InlineData(UnixFileMode.OtherWrite, "602")]
    public void On_Unix_a_key_file_group_or_others_can_access_is_refused_with_the_chmod_to_run(UnixFileMode extra, string mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = _directory.File("open.key");
        using var key = SignatureSchemes.Ed25519.GenerateKey();
        KeyFile.Write(path, key);
        File.SetUnixFileMode(path, OwnerOnly | extra);

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Read(path));

        Assert.Equal(KeyFileProblem.TooOpen, e.Problem);
        Assert.Equal($"Key file {path} is accessible by group or others (mode {mode}); a private key must be readable by its owner only: run chmod 600 '{path}'.", e.Message);
        File.SetUnixFileMode(path, OwnerOnly);
        using var read = KeyFile.Read(path);
        Assert.Equal(key.PublicKey, read.PublicKey);
    }

    private static void WriteOwnerOnly(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }
}
