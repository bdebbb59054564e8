namespace Api.Tests;

public class GreetingTests
{
    [Xunit.Fact]
    public void Greets() => Xunit.Assert.Equal("hello", Shared.Greeting.Text);
}
