using Containers.Build.Model;

namespace Containers.Build.Tests.Model;

public class DigestTests
{
    [Fact]
    public void Computes_the_sha256_of_content()
    {
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Compute([]).ToString());
        Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Digest.Compute("hello"u8).ToString());
    }

    [Theory]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", false)]
    [InlineData("sha256:e3b0c442", false)]
    [InlineData("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("", false)]
    public void Parses_only_canonical_sha256_digests(string text, bool valid)
    {
        Assert.Equal(valid, Digest.TryParse(text, out _));
        if (!valid)
        {
            Assert.Throws<FormatException>(() => Digest.Parse(text));
        }
    }

    [Fact]
    public void Equal_digests_are_equal_values()
    {
        Assert.Equal(Digest.Compute("a"u8), Digest.Parse(Digest.Compute("a"u8).ToString()));
        Assert.NotEqual(Digest.Compute("a"u8), Digest.Compute("b"u8));
    }
}
