// Command go_oracle answers .dockerignore questions with the real moby/patternmatcher.
//
// It reads one JSON object per line on stdin, {"patterns": [...], "paths": [...]}, and
// writes one JSON object per line: for each path, the result of the fsutil-style walk
// (MatchesUsingParentResults carried down from the top), of MatchesOrParentMatches, and
// any error. It is a development tool: tests/context/test_differential.py replays its
// recorded answers, so the test suite itself needs no Go toolchain.
//
// Build (Debian): GO111MODULE=off GOPATH=/usr/share/gocode go build -o go_oracle .
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
)

type query struct {
	Patterns []string `json:"patterns"`
	Paths    []string `json:"paths"`
}

type answer struct {
	Walk            *bool  `json:"walk"`
	ParentMatches   *bool  `json:"parent_matches"`
	Error           string `json:"error,omitempty"`
	ConstructorFail bool   `json:"new_error,omitempty"`
}

func walk(patterns []string, path string) (result bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return false, err
	}
	info := patternmatcher.MatchInfo{}
	parent := filepath.Dir(path)
	if parent != "." {
		parts := strings.Split(parent, "/")
		for i := range parts {
			_, info, err = pm.MatchesUsingParentResults(strings.Join(parts[:i+1], "/"), info)
			if err != nil {
				return false, err
			}
		}
	}
	result, _, err = pm.MatchesUsingParentResults(path, info)
	return result, err
}

func parentMatches(patterns []string, path string) (result bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return false, err
	}
	return pm.MatchesOrParentMatches(path)
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var q query
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		answers := make([]answer, 0, len(q.Paths))
		_, newErr := patternmatcher.New(q.Patterns)
		for _, path := range q.Paths {
			a := answer{}
			if newErr != nil {
				a.ConstructorFail = true
				a.Error = newErr.Error()
				answers = append(answers, a)
				continue
			}
			w, err1 := walk(q.Patterns, path)
			p, err2 := parentMatches(q.Patterns, path)
			if err1 == nil {
				a.Walk = &w
			}
			if err2 == nil {
				a.ParentMatches = &p
			}
			if err1 != nil {
				a.Error = err1.Error()
			} else if err2 != nil {
				a.Error = err2.Error()
			}
			answers = append(answers, a)
		}
		line, _ := json.Marshal(answers)
		out.Write(line)
		out.WriteString("\n")
	}
}
