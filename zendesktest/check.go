package zendesktest

import (
	"errors"
	"fmt"
)

// CheckOptions reports the first problem Start would find with opts (an
// option's argument, a spec that does not load, a fault for an operation
// the spec does not have) without starting a server. Programs that build
// options from their own input, such as command-line flags, use it to say
// which input is wrong before they listen.
func CheckOptions(opts ...Option) error {
	_, _, err := configure(opts)
	return err
}

// configure applies opts to the defaults and loads the spec they name.
func configure(opts []Option) (config, *apiSpec, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return cfg, nil, errors.New("zendesktest: nil option")
		}
		if err := o(&cfg); err != nil {
			return cfg, nil, fmt.Errorf("zendesktest: %w", err)
		}
	}
	var sp *apiSpec
	var err error
	if cfg.specYAML != nil {
		sp, err = loadSpec(cfg.specYAML)
	} else {
		sp, err = loadEmbedded()
	}
	if err != nil {
		return cfg, nil, fmt.Errorf("zendesktest: %w", err)
	}
	if err := checkOperations(sp, cfg); err != nil {
		return cfg, nil, fmt.Errorf("zendesktest: %w", err)
	}
	return cfg, sp, nil
}
