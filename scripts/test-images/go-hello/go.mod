module example.com/bosun/hello-go

go 1.19
